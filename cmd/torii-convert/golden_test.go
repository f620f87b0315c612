package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/schema"
)

var update = flag.Bool("update", false, "rewrite the expected outputs of the golden cases (never their inputs)")

// today is the date every test runs on, so that "in the future" means the same each day.
var today = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// TestGolden runs each case under testdata/golden: a folder with the inputs, an args file
// (the command line after torii-convert), and what is expected: want.json (stdout),
// want.stderr, and exit (the exit code, when not 0). Every want.json is itself checked
// against the schema, by jsonschema/v5 and by every rule, so goldens cannot drift from
// the contract (or, for templates init, must load as a template). A twin file names the case whose want.json this one's must equal byte
// for byte: the same export in another encoding, dialect or spreadsheet application.
func TestGolden(t *testing.T) {
	eachCase(t, func(t *testing.T, dir string) {
		t.Chdir(dir)
		args, err := os.ReadFile("args")
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"torii-convert"}, strings.Fields(string(args))...),
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: func() time.Time { return today }})
		if *update {
			write(t, "want.json", stdout.Bytes(), code == 0)
			write(t, "want.stderr", stderr.Bytes(), true)
			write(t, "exit", []byte(strconv.Itoa(code)+"\n"), code != 0)
		}
		wantCode := wantExit()
		if code != wantCode {
			t.Errorf("exit code %d, want %d; stderr:\n%s", code, wantCode, stderr.String())
		}
		compare(t, "want.stderr", stderr.Bytes())
		if wantCode == 0 {
			compare(t, "want.json", stdout.Bytes())
			switch {
			case strings.Contains(string(args), "--preview") || strings.Contains(string(args), "--explain"):
				// A preview is text for people, not a file.
			case strings.HasPrefix(string(args), "templates "):
				// A template made by templates init: it must load as one.
				if _, err := convert.LoadTemplate(os.DirFS("."), "want.json"); err != nil {
					t.Errorf("want.json is not a template torii-convert loads: %v", err)
				}
			default:
				checkInFull(t, "want.json")
			}
			if twin, err := os.ReadFile("twin"); err == nil {
				compare(t, filepath.Join("..", strings.TrimSpace(string(twin)), "want.json"), stdout.Bytes())
			}
		} else if stdout.Len() > 0 {
			t.Errorf("a failed run wrote to stdout:\n%s", stdout.String())
		}
	}, "golden")
}

// wantExit reads the exit code a golden case expects: its exit file, else 0.
func wantExit() int {
	code := 0
	if b, err := os.ReadFile("exit"); err == nil {
		code, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	return code
}

func write(t *testing.T, name string, data []byte, keep bool) {
	t.Helper()
	if !keep {
		os.Remove(name)
		return
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// eachCase calls fn in a subtest for each case, a folder with an args file, under
// testdata/KIND for each kind, with the folder's absolute path. A kind without a case
// fails: a moved folder must not pass by testing nothing.
func eachCase(t *testing.T, fn func(t *testing.T, dir string), kinds ...string) {
	for _, kind := range kinds {
		cases, _ := filepath.Glob("../../testdata/" + kind + "/*/args")
		if len(cases) == 0 {
			t.Fatalf("no cases under testdata/%s", kind)
		}
		for _, argsFile := range cases {
			dir, _ := filepath.Abs(filepath.Dir(argsFile))
			name := filepath.Base(dir)
			if len(kinds) > 1 {
				name = kind + "/" + name
			}
			t.Run(name, func(t *testing.T) { fn(t, dir) })
		}
	}
}

func compare(t *testing.T, name string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it, then read it)", err)
	}
	if d := diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", name, d)
	}
}

// diff shows how two texts differ, line by line, through go-cmp: "" when they do not.
func diff(want, got string) string {
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}

// checkInFull checks a customIntegrationData file against the schema with jsonschema/v5
// and with every rule, including those convert leaves out because merging makes them hold.
func checkInFull(t *testing.T, name string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource("s.json", bytes.NewReader(schema.Source)); err != nil {
		t.Fatal(err)
	}
	s := c.MustCompile("s.json")
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var ve *jsonschema.ValidationError
	if err := s.Validate(v); errors.As(err, &ve) {
		t.Errorf("%s fails the schema: %#v", name, ve.BasicOutput())
	}
	schema.Contract().CheckFile(bytes.NewReader(data), today, func(p schema.Problem) {
		if p.Severity == schema.Error {
			t.Errorf("%s:%d:%d: %s: %s", name, p.Line, p.Col, p.Path, p.Message)
		}
	})
}
