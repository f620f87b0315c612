// Command torii-convert turns SaaS admin exports into Torii custom integration files.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
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
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, os.Args, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
			tty: isTerminal(os.Stderr)})
	}()
	select {
	case c := <-code:
		return c
	case <-ctx.Done():
	}
	// The run stops at the next step, removes what it made and says where it stopped. One
	// blocked in I/O that nothing can interrupt (a FIFO that nobody opens or reads) is
	// given up after a moment: its output was never committed.
	select {
	case c := <-code:
		return c
	case <-time.After(interruptGrace):
		abandonSpools()
		fmt.Fprintln(os.Stderr, "torii-convert: interrupted while blocked reading or writing; nothing written")
		return exitInterrupted
	}
}

// interruptGrace is how long an interrupted run has to stop by itself.
const interruptGrace = 2 * time.Second
