// Command torii-convert turns SaaS admin exports into Torii custom integration files.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() { os.Exit(runProcess()) }

// runProcess runs the program in this process: its arguments, streams, environment and
// signals.
func runProcess() int {
	if os.Getenv("GOGC") == "" {
		// Most of the heap is the users of the export, alive until the end: collecting
		// at every doubling is wasted work. Memory stays well under a quarter of Miller's.
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		tty: isTerminal(os.Stderr)})
}
