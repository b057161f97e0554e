package introspect

import (
	"errors"
	"fmt"
	"strconv"
)

// PostgreSQL stores a view's query as a pg_node_tree, the text form of its
// parse tree. It is the only catalog record of which base-table column a view
// column passes through unchanged (TargetEntry.resorigtbl/resorigcol), which
// is what PostgREST infers view keys from; so we read that text here.
//
// The format (PostgreSQL's outfuncs.c) is: a node "{NAME :field value …}", a
// list "(item …)", "<>" for NULL, and bare tokens that end at whitespace or at
// one of "(){}" unless a backslash escapes the next character. A field value
// may be several tokens (a Const datum prints as "4 [ 3 0 0 0 ]").

// treeNode is one "{NAME …}" node; a field holds the items after its ":key".
type treeNode struct {
	name   string
	fields map[string][]any
}

// treeList is a "( … )" list; its items are *treeNode, treeList or string.
type treeList []any

// errNodeTree marks text that is not a well-formed pg_node_tree.
var errNodeTree = errors.New("malformed pg_node_tree")

// nodeTreeParser reads a pg_node_tree; pos indexes src.
type nodeTreeParser struct {
	src string
	pos int
}

// parseNodeTree parses the whole text as one item.
func parseNodeTree(src string) (any, error) {
	p := &nodeTreeParser{src: src}
	tok, ok := p.next()
	if !ok {
		return nil, fmt.Errorf("%w: empty", errNodeTree)
	}
	v, err := p.item(tok)
	if err != nil {
		return nil, err
	}
	if tok, ok := p.next(); ok {
		return nil, fmt.Errorf("%w: trailing %q at offset %d", errNodeTree, tok, p.pos)
	}
	return v, nil
}

// next returns the next raw token (escapes kept); false at the end.
func (p *nodeTreeParser) next() (string, bool) {
	for p.pos < len(p.src) && isTreeSpace(p.src[p.pos]) {
		p.pos++
	}
	if p.pos >= len(p.src) {
		return "", false
	}
	start := p.pos
	switch p.src[p.pos] {
	case '(', ')', '{', '}':
		p.pos++
		return p.src[start:p.pos], true
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\\' && p.pos+1 < len(p.src) {
			p.pos += 2
			continue
		}
		if isTreeSpace(c) || c == '(' || c == ')' || c == '{' || c == '}' {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos], true
}

func isTreeSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// item parses the item that starts with tok.
func (p *nodeTreeParser) item(tok string) (any, error) {
	switch tok {
	case "{":
		return p.node()
	case "(":
		return p.list()
	case ")", "}":
		return nil, fmt.Errorf("%w: unexpected %q at offset %d", errNodeTree, tok, p.pos)
	}
	return tok, nil
}

// node parses the rest of a node after its "{".
func (p *nodeTreeParser) node() (*treeNode, error) {
	name, ok := p.next()
	if !ok || name == "}" || name == "(" || name == "{" || name == ")" {
		return nil, fmt.Errorf("%w: node without name at offset %d", errNodeTree, p.pos)
	}
	n := &treeNode{name: name, fields: map[string][]any{}}
	var key string
	for {
		tok, ok := p.next()
		if !ok {
			return nil, fmt.Errorf("%w: unterminated node %s", errNodeTree, name)
		}
		if tok == "}" {
			return n, nil
		}
		if len(tok) > 1 && tok[0] == ':' {
			key = tok[1:]
			n.fields[key] = nil
			continue
		}
		v, err := p.item(tok)
		if err != nil {
			return nil, err
		}
		n.fields[key] = append(n.fields[key], v)
	}
}

// list parses the rest of a list after its "(".
func (p *nodeTreeParser) list() (treeList, error) {
	l := treeList{}
	for {
		tok, ok := p.next()
		if !ok {
			return nil, fmt.Errorf("%w: unterminated list", errNodeTree)
		}
		if tok == ")" {
			return l, nil
		}
		v, err := p.item(tok)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
}

// field returns the single item of a field, or nil when absent or "<>".
func (n *treeNode) field(key string) any {
	v := n.fields[key]
	if len(v) != 1 || v[0] == "<>" {
		return nil
	}
	return v[0]
}

// intField returns a field holding one integer token.
func (n *treeNode) intField(key string) (int64, error) {
	s, ok := n.field(key).(string)
	if !ok {
		return 0, fmt.Errorf("%w: %s has no integer :%s", errNodeTree, n.name, key)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s :%s: %w", errNodeTree, n.name, key, err)
	}
	return v, nil
}

// targetOrigin is where a view column comes from: attnum col of relation
// rel, as the parser recorded it for a column that is a plain reference.
type targetOrigin struct {
	rel uint32
	col int16
}

// viewOrigins reads a view's _RETURN rule action (a list holding one Query)
// and returns, for each output column (resno) that is a plain column
// reference, the relation column it passes through.
func viewOrigins(action string) (map[int16]targetOrigin, error) {
	tree, err := parseNodeTree(action)
	if err != nil {
		return nil, err
	}
	l, ok := tree.(treeList)
	if !ok || len(l) != 1 {
		return nil, fmt.Errorf("%w: rule action is not a one-query list", errNodeTree)
	}
	q, ok := l[0].(*treeNode)
	if !ok || q.name != "QUERY" {
		return nil, fmt.Errorf("%w: rule action holds no QUERY", errNodeTree)
	}
	origins := map[int16]targetOrigin{}
	targets, _ := q.field("targetList").(treeList)
	for _, item := range targets {
		te, ok := item.(*treeNode)
		if !ok || te.name != "TARGETENTRY" {
			return nil, fmt.Errorf("%w: targetList holds a non-TARGETENTRY", errNodeTree)
		}
		if junk, _ := te.field("resjunk").(string); junk == "true" {
			continue
		}
		resno, err := te.intField("resno")
		if err != nil {
			return nil, err
		}
		tbl, err := te.intField("resorigtbl")
		if err != nil {
			return nil, err
		}
		col, err := te.intField("resorigcol")
		if err != nil {
			return nil, err
		}
		if tbl == 0 || col <= 0 {
			continue
		}
		origins[int16(resno)] = targetOrigin{rel: uint32(tbl), col: int16(col)}
	}
	return origins, nil
}
