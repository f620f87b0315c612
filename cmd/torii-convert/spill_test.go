package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestRunConvertSpills holds --spill-after to its rule, and a conversion past it to
// saying where the users went: on stderr, in the JSON summary's notes, and in the error
// and its fix when the folder cannot take them.
func TestRunConvertSpills(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("users are kept in a file on Linux only")
	}
	var export strings.Builder
	export.WriteString("Name,Email\n")
	for i := range 5000 {
		fmt.Fprintf(&export, "User %d,user%d@example.com\n", i, i)
	}
	tmp := t.TempDir()
	out := filepath.Join(t.TempDir(), "out.json")
	read := readOptions{template: "stripe", maxErrors: 50, spillAfter: 4096}
	note := "keeping the users past the first 4,096 in a temporary file in " + tmp + " (--spill-after 4,096, taken in blocks of 4,096 users)"
	for _, tc := range []struct {
		name   string
		tmpdir string
		o      convertOptions
		want   wantRun
	}{
		{"text", tmp, convertOptions{args: []string{"-"}, read: read, format: "text", output: out},
			wantRun{kind: none, stderr: []string{"note: " + note + "\n", "stdin: 5000 users"}, noStdout: true}},
		{"json", tmp, convertOptions{args: []string{"-"}, read: read, format: "json", output: out},
			wantRun{kind: none, stdout: []string{`"notes":["` + note + `"`}}},
		{"no such folder", filepath.Join(tmp, "missing"), convertOptions{args: []string{"-"}, read: read, format: "text", output: out},
			wantRun{kind: kindFailure, stderr: []string{"keeping users past 4,096 in a temporary file in " + filepath.Join(tmp, "missing") + ": no such file or directory"}}},
		{"negative", tmp, convertOptions{args: []string{"-"}, read: readOptions{template: "stripe", spillAfter: -1}, format: "text"},
			wantRun{kind: kindUsage, stderr: []string{"--spill-after -1: want a number of users, or 0 to keep them all in memory"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TMPDIR", tc.tmpdir)
			fe := newEnv(export.String(), nil, false)
			err := runConvert(context.Background(), fe.env, tc.o)
			tc.want.check(t, fe, err)
			if hint := "TMPDIR names the folder for the temporary file; --spill-after 0 keeps every user in memory"; err != nil && tc.want.kind == kindFailure && !strings.Contains(classify(err).hint, hint) {
				t.Errorf("hint %q lacks %q", classify(err).hint, hint)
			}
		})
	}
}
