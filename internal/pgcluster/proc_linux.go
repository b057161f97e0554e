package pgcluster

import "syscall"

// setParentDeathSignal makes the kernel shut the server down when the thread
// that started it dies, so a crashed or killed test binary leaves no stray
// postmaster behind. Start keeps that thread alive (LockOSThread) for as long
// as the server runs.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGQUIT }
