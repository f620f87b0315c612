package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCommandGoldens runs the cases of the commands whose output is a report rather than
// a customIntegrationData file (diff, report): each folder under testdata/diff and
// testdata/report holds its inputs, args (the command line after torii-convert), and
// what is expected: want.stdout, want.stderr, and exit (the exit code, when not 0).
// go test -update rewrites the expected outputs, never the inputs.
func TestCommandGoldens(t *testing.T) {
	eachCase(t, func(t *testing.T, dir string) {
		t.Chdir(dir)
		args, err := os.ReadFile("args")
		if err != nil {
			t.Fatal(err)
		}
		fe := newEnv("", nil, false)
		stdout, stderr := fe.stdout, fe.stderr
		code := run(context.Background(), append([]string{"torii-convert"}, strings.Fields(string(args))...), fe.env)
		if *update {
			write(t, "want.stdout", stdout.Bytes(), true)
			write(t, "want.stderr", stderr.Bytes(), stderr.Len() > 0)
			write(t, "exit", []byte(strconv.Itoa(code)+"\n"), code != 0)
		}
		if wantCode := wantExit(); code != wantCode {
			t.Errorf("exit code %d, want %d; stderr:\n%s", code, wantCode, stderr.String())
		}
		compare(t, "want.stdout", stdout.Bytes())
		if _, err := os.Stat("want.stderr"); err == nil || stderr.Len() > 0 {
			compare(t, "want.stderr", stderr.Bytes())
		}
	}, "diff", "report")
}
