// Package pgrestgen carries the module's own go.mod and go.sum so that
// `pgrestgen init` can write a server module that builds against exactly the
// dependency versions pgrestgen was tested with.
package pgrestgen

import _ "embed"

// GoMod is this module's go.mod.
//
//go:embed go.mod
var GoMod []byte

// GoSum is this module's go.sum.
//
//go:embed go.sum
var GoSum []byte
