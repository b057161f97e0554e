//go:build !unix

package pgcluster

import (
	"os"
	"os/exec"
)

// serverUser is always nil here: the root check only applies to Unix.
type serverUser struct{}

func lookupServerUser() (*serverUser, error)  { return nil, nil }
func (u *serverUser) apply(*exec.Cmd, bool)   {}
func (u *serverUser) own(string) error        { return nil }
func (u *serverUser) canTraverse(string) bool { return true }
func stopSignal(p *os.Process) error          { return p.Kill() }

func fastStopSignal(p *os.Process) error { return p.Signal(os.Interrupt) }
