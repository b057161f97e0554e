package query

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, raw := range []string{
		"select=(foo)", "select=id)garbage", `select="*",x:"*"::text`, "select=rel(data->0),data->0", "select=%20id%20,%20first%20name%20",
		`select=alias:actors!fk!inner(id),...dir!left!h(*),x:"a\"b"`, "a=is.nullx", "a=in.(1,2)junk", "a=in.()", `a=in.( 1 , "x" )`,
		"a=like(all).{a*,*b}", "a=eq(any).{1,NULL}", "or=.eq.1", "or=( a.eq.1 , b.eq.2 )", "or=(tags.cs.{a,b},x.in.(1,2),r.adj.\"[18,21)\")",
		"actors.not.and=(a.eq.1)", "actors.films.data->>x=eq.1", "actors.limit=abc", "select=count()", "a=fts(%20french%20).x", "a=eq(any).x",
		"a=not.isdistinct.x", "a=ilike.*x*", "a-b->c->>-0=eq.1", "select=a-", "order=a->b.desc.nullslast,%20c%20",
	} {
		r, err := ParseRaw(raw)
		b, _ := json.Marshal(err)
		rb, _ := json.Marshal(r)
		fmt.Printf("%-40s %s %s\n", raw, b, rb)
	}
}
