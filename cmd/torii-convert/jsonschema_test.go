package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// outputSchemas is where the JSON Schemas of the commands' --format json outputs are.
const outputSchemas = "../../docs/schemas"

var (
	compiled   = map[string]*jsonschema.Schema{}
	compiledMu sync.Mutex
)

func outputSchema(name string) (*jsonschema.Schema, error) {
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if s, ok := compiled[name]; ok {
		return s, nil
	}
	path := filepath.Join(outputSchemas, name+".schema.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.AssertContent = true
	if err := c.AddResource(path, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	s, err := c.Compile(path)
	if err != nil {
		return nil, err
	}
	compiled[name] = s
	return s, nil
}

// checkJSONOutput NAME checks the last command's stdout against docs/schemas/NAME.schema.json:
// one JSON document, valid by the schema.
func checkJSONOutput(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonschema NAME")
	}
	s, err := outputSchema(args[0])
	ts.Check(err)
	out := ts.ReadFile("stdout")
	v, err := oneJSON([]byte(out))
	if err != nil {
		ts.Fatalf("stdout: %v\n%s", err, out)
	}
	if err := s.Validate(v); err != nil {
		ts.Fatalf("stdout does not follow %s.schema.json: %#v\n%s", args[0], err, out)
	}
}

// oneJSON decodes one JSON document, numbers kept as they are written.
func oneJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON document")
	}
	return v, nil
}

// TestOutputSchemas: every command that prints --format json has a schema for it, and
// every schema compiles and refuses what it should.
func TestOutputSchemas(t *testing.T) {
	for _, c := range newApp(env{}).Commands {
		if findFlag(c.Flags, "format") == nil {
			continue
		}
		if _, err := outputSchema(c.Name); err != nil {
			t.Errorf("%s --format json: %v", c.Name, err)
		}
	}
	refused := map[string]string{
		"sync":     `{"outcome":"failed","appAccount":1,"exitCode":0}`,
		"whoami":   `{"id":"1","companyName":"Acme","domain":"acme.com"}`,
		"convert":  `{"input":"a.csv","template":"figma","users":1,"licenses":0,"rows":1,"merged":0,"skipped":[],"warnings":0,"notes":[],"defaults":[],"outcome":"failed","appAccount":1,"exitCode":1}`,
		"validate": `{"valid":true,"files":[{"file":"a.json","kind":"customIntegrationData","valid":true,"users":1,"licenses":0,"errors":2,"warnings":0,"problems":[]}]}`,
	}
	for name, doc := range refused {
		s, err := outputSchema(name)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s.schema.json accepts %s", name, doc)
		}
	}
}

// TestGoldenJSONFollowsSchemas: the --format json outputs kept as goldens (testdata/diff,
// testdata/report) follow their command's schema, so goldens and schemas cannot drift.
func TestGoldenJSONFollowsSchemas(t *testing.T) {
	args, err := filepath.Glob("../../testdata/*/*/args")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, a := range args {
		line, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(string(line))
		if len(fields) == 0 || !strings.Contains(" "+strings.Join(fields, " ")+" ", " --format json ") {
			continue
		}
		want := filepath.Join(filepath.Dir(a), "want.stdout")
		data, err := os.ReadFile(want)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		s, err := outputSchema(fields[0])
		if err != nil {
			t.Errorf("%s: %v", a, err)
			continue
		}
		v, err := oneJSON(data)
		if err != nil {
			t.Errorf("%s: %v", want, err)
			continue
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s does not follow %s.schema.json: %#v", want, fields[0], err)
		}
		checked++
	}
	if checked < 2 {
		t.Errorf("checked %d golden JSON outputs; the diff and report goldens have more", checked)
	}
}
