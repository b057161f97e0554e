//go:build unix && !linux

package pgcluster

import "syscall"

// setParentDeathSignal is a no-op: only Linux can tie a child's lifetime to
// its parent; elsewhere a killed test binary may leave a server running.
func setParentDeathSignal(*syscall.SysProcAttr) {}
