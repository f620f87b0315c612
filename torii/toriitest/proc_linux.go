package toriitest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes a server die with the test process, even when that one is killed.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
