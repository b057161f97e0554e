package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "inner.conf", "x = \"$(name)-inner\"\n")
	path := writeFile(t, dir, "main.conf", `# from configurator-pg's interp.cfg and pathological.cfg
services = "$(HOME)/services"
root = "can be overwritten by inner block."
myprogram {
        name = "myprogram"
        root = "$(services)/$(name)"
        exec = "$(root)/$(name)"
        delay = 1
        imported { import "inner.conf" }
}
dir = "$(HOME)"
top {
    dir = "$(dir)/top"
    layer1 {
        dir = "$(dir)/layer1"
        layer2.dir = "$(dir)/layer2"
    }
}
aa # Comment
= # Comment
 1 # Comment
af
=
[
2
#foo
,
#bar
3
#baz
]#quux
ag { q-e { i_u9 { a=false}}}
#; comment {
  x = 1
}
ae = 1
big = 123456789012345678901
frac = 2.50
switch = off
num = "$(ae)-$(big)-$(frac)"
`)
	got, err := parseConfigFile(path, map[string]string{"HOME": "/home/u", "name": "env-name"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) fileValue { return fileValue{kind: kindString, text: s} }
	want := map[string]fileValue{
		"services":              str("/home/u/services"),
		"root":                  str("can be overwritten by inner block."),
		"myprogram.name":        str("myprogram"),
		"myprogram.root":        str("/home/u/services/myprogram"),
		"myprogram.exec":        str("/home/u/services/myprogram/myprogram"),
		"myprogram.delay":       {kind: kindNumber, text: "1"},
		"myprogram.imported.x":  str("myprogram-inner"),
		"dir":                   str("/home/u"),
		"top.dir":               str("/home/u/top"),
		"top.layer1.dir":        str("/home/u/top/layer1"),
		"top.layer1.layer2.dir": str("/home/u/top/layer1/layer2"),
		"aa":                    {kind: kindNumber, text: "1"},
		"af":                    {kind: kindList},
		"ag.q-e.i_u9.a":         {kind: kindBool, b: false},
		"ae":                    {kind: kindNumber, text: "1"},
		"big":                   {kind: kindNumber, text: "123456789012345678901"},
		"frac":                  {kind: kindNumber, text: "2.50"},
		"switch":                {kind: kindBool, b: false},
		"num":                   str("1-1.2345678901234568e+20-2.5"),
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(fileValue{})); diff != "" {
		t.Errorf("parseConfigFile (-want +got):\n%s", diff)
	}
}

func TestParseConfigFileFirstNumInterpolationFails(t *testing.T) {
	dir := t.TempDir()
	// "num" refers to ae before it is bound, and ae is not in the environment.
	path := writeFile(t, dir, "c.conf", "num = \"$(ae)\"\nae = 1\n")
	if _, err := parseConfigFile(path, nil); err == nil {
		t.Fatal("want an error for a variable bound later")
	}
}
