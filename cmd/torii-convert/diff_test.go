package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestRunDiff(t *testing.T) {
	dir, _ := filepath.Abs("../../testdata/diff")
	old, new := filepath.Join(dir, "changes/old.json"), filepath.Join(dir, "changes/new.json")
	read := readOptions{maxErrors: 50}
	two := []string{old, new}
	for _, tc := range []struct {
		name string
		o    diffOptions
		want wantRun
	}{
		{"differ", diffOptions{read: read, limit: 10, format: "text", args: two},
			wantRun{kind: kindDiffer, stdout: []string{"  1 added, 1 removed, 1 active -> deleted, 1 deleted -> active\n"}}},
		{"same", diffOptions{read: read, limit: 10, format: "text", args: []string{old, old}},
			wantRun{kind: none, stdout: []string{"users: 4 -> 4, active 3 -> 3\n"}}},
		{"json", diffOptions{read: read, format: "json", args: two},
			wantRun{kind: kindDiffer, stdout: []string{"  \"same\": false,\n"}}},
		{"no limit", diffOptions{read: read, format: "text", args: two},
			wantRun{kind: kindDiffer, stdout: []string{"  Bob@Example.com\n"}}},
		{"one side", diffOptions{read: read, format: "text", args: []string{old}},
			wantRun{kind: kindUsage, stderr: []string{"diff compares two sides, got 1"}, noStdout: true}},
		{"bad format", diffOptions{read: read, format: "yaml", args: two}, wantRun{kind: kindUsage, noStdout: true}},
		{"negative limit", diffOptions{read: read, limit: -1, format: "text", args: two}, wantRun{kind: kindUsage, noStdout: true}},
		{"torii without --app", diffOptions{read: read, format: "text", args: []string{toriiSide, new}},
			wantRun{kind: kindUsage, stderr: []string{"torii: needs --app"}, noStdout: true}},
		{"both stdin", diffOptions{read: read, format: "text", args: []string{"-", "-"}}, wantRun{kind: kindUsage, noStdout: true}},
		{"an export without --template", diffOptions{read: read, format: "text", args: []string{old, "members.csv"}},
			wantRun{kind: kindUsage, stderr: []string{"members.csv is an export: pass --template"}, noStdout: true}},
		{"missing file", diffOptions{read: read, format: "text", args: []string{old, filepath.Join(dir, "nope.json")}},
			wantRun{kind: kindFailure, noStdout: true}},
		{"malformed", diffOptions{read: read, format: "text", args: []string{filepath.Join(dir, "invalid/old.json"), new}},
			wantRun{kind: kindInvalid, stderr: []string{"old.json:4:33: invalid JSON"}, noStdout: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", nil, false)
			tc.want.check(t, fe, runDiff(context.Background(), fe.env, tc.o))
		})
	}
}

func TestRunReport(t *testing.T) {
	file, _ := filepath.Abs("../../testdata/report/prices-idle/figma.json")
	page := filepath.Join(t.TempDir(), "waste.html")
	read := readOptions{maxErrors: 50}
	one := []string{file}
	for _, tc := range []struct {
		name string
		o    reportOptions
		want wantRun
	}{
		{"text", reportOptions{read: read, idle: "90d", format: "text", args: one},
			wantRun{kind: none, stdout: []string{"Full           4       3     1           3  45.00        270.00      45.00           135.00  180.00\n"}}},
		{"idle in days without d", reportOptions{read: read, idle: "60", format: "csv", args: one},
			wantRun{kind: none, stdout: []string{"Dev,3,3,2,1,0,25.00,75.00,50.00,0.00,50.00\n"}}},
		{"markdown", reportOptions{read: read, idle: "90d", format: "markdown", args: one},
			wantRun{kind: none, stdout: []string{"| Full | 4 | 3 | 1 | 3 | 45.00 | 270.00 | 45.00 | 135.00 | 180.00 |\n"}}},
		{"html too", reportOptions{read: read, idle: "90d", format: "json", html: page, args: one},
			wantRun{kind: none, stdout: []string{"  \"idleDays\": 90,\n"}}},
		{"no file", reportOptions{read: read, idle: "90d", format: "text"}, wantRun{kind: kindUsage, noStdout: true}},
		{"bad idle", reportOptions{read: read, idle: "0d", format: "text", args: one}, wantRun{kind: kindUsage, noStdout: true}},
		{"bad format", reportOptions{read: read, idle: "90d", format: "xml", args: one}, wantRun{kind: kindUsage, noStdout: true}},
		{"prices without a template", reportOptions{read: read, prices: "p.csv", idle: "90d", format: "text", args: one},
			wantRun{kind: kindUsage, stderr: []string{"--prices goes with --template"}, noStdout: true}},
		{"html to stdout", reportOptions{read: read, idle: "90d", format: "text", html: "-", args: one}, wantRun{kind: kindUsage, noStdout: true}},
		{"html into a missing folder", reportOptions{read: read, idle: "90d", format: "text", html: filepath.Join(t.TempDir(), "no/such/dir/w.html"), args: one},
			wantRun{kind: kindFailure, noStdout: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", nil, false)
			tc.want.check(t, fe, runReport(context.Background(), fe.env, tc.o))
		})
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<b id="total-waste">210.00</b>`, `<tr data-license="Full">`, "<svg"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if bytes.Contains(html, []byte("http://")) || bytes.Contains(html, []byte("https://")) {
		t.Error("the page refers to the network")
	}
}
