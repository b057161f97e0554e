package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/pgrestgen/pgrestgen/generator/plan"
)

// cardinalities maps the plan's cardinality names to the runtime's constants.
var cardinalities = map[string]string{
	"many-to-one":  "ManyToOne",
	"one-to-many":  "OneToMany",
	"one-to-one":   "OneToOne",
	"many-to-many": "ManyToMany",
	"computed":     "ComputedRelationship",
}

// relationshipsField is the Relationships key of a relation descriptor: one
// literal per relationship, each after a comment showing its join, so a
// reviewer sees every embed the API allows and how it is joined.
func relationshipsField(r plan.Relation) *field {
	return kvIf(len(r.Relationships) > 0, "Relationships", jen.Index().Qual(runtimePkg, "Relationship").ValuesFunc(func(g *jen.Group) {
		for _, rel := range r.Relationships {
			g.Line().Comment(rel.Join).Line().Values(inline(
				kv("Target", jen.Lit(rel.Target)),
				kv("Cardinality", jen.Qual(runtimePkg, cardinalities[rel.Cardinality])),
				kvIf(rel.Constraint != "", "Constraint", jen.Lit(rel.Constraint)),
				kvIf(len(rel.Columns) > 0, "Columns", columnPairs(rel.Columns)),
				kvIf(rel.Junction != nil, "Junction", junction(rel.Junction)),
				kvIf(rel.Function != "", "Function", sqlLit(rel.Function)),
				kvIf(rel.FunctionName != "", "FunctionName", jen.Lit(rel.FunctionName)),
				kvIf(rel.ToOne, "ToOne", jen.True()),
				kvIf(rel.Self, "Self", jen.True()),
				kvIf(rel.TargetIsView, "TargetIsView", jen.True()),
			)...)
		}
		g.Line()
	}))
}

func columnPairs(ps []plan.ColumnPair) jen.Code {
	return jen.Index().Qual(runtimePkg, "ColumnPair").ValuesFunc(func(g *jen.Group) {
		for _, p := range ps {
			g.Values(inline(kv("From", jen.Lit(p.From)), kv("To", jen.Lit(p.To)))...)
		}
	})
}

func junction(j *plan.Junction) jen.Code {
	if j == nil {
		return jen.Nil()
	}
	return jen.Op("&").Qual(runtimePkg, "Junction").Values(inline(
		kv("Name", jen.Lit(j.Name)),
		kv("SQLName", sqlLit(j.SQLName)),
		kv("Constraint1", jen.Lit(j.Constraint1)),
		kv("Constraint2", jen.Lit(j.Constraint2)),
		kv("Source", columnPairs(j.Source)),
		kv("Target", columnPairs(j.Target)),
	)...)
}
