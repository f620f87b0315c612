package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSARIF holds --format sarif to what SARIF 2.1.0 requires and GitHub code scanning
// reads: the version, the tool, each result's rule (declared by the tool), level,
// message and a location in the file.
func TestSARIF(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("bad.json", []byte("{\n  \"users\": [\n    {\"email\": \"bob@\", \"status\": \"on\"}\n  ]\n}\n"), 0o644)
	os.WriteFile("broken.json", []byte("{\"users\": [}\n"), 0o644)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"torii-convert", "validate", "--format", "sarif", "bad.json", "broken.json", "missing.json"},
		env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now})
	if code != exitFailure {
		t.Errorf("exit %d, want %d (a file could not be read)", code, exitFailure)
	}
	var doc struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID   string `json:"id"`
						Desc struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout.String())
	}
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif-2.1.0") || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "torii-convert" {
		t.Fatalf("not a SARIF 2.1.0 log:\n%s", stdout.String())
	}
	declared := map[string]bool{}
	for _, r := range doc.Runs[0].Tool.Driver.Rules {
		declared[r.ID] = r.Desc.Text != ""
	}
	got := map[string]string{}
	for _, r := range doc.Runs[0].Results {
		if !declared[r.RuleID] || r.Message.Text == "" || (r.Level != "error" && r.Level != "warning") || len(r.Locations) != 1 {
			t.Errorf("result %+v", r)
			continue
		}
		loc := r.Locations[0].Physical
		where := filepath.Base(loc.Artifact.URI)
		if loc.Region != nil {
			if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
				t.Errorf("region %+v", loc.Region)
			}
			where += ":" + strconv.Itoa(loc.Region.StartLine) + ":" + strconv.Itoa(loc.Region.StartColumn)
		}
		got[where] = r.RuleID
	}
	want := map[string]string{"bad.json:3:15": "format", "bad.json:3:33": "enum", "broken.json:1:12": "syntax", "missing.json": "unreadable"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("no %s result at %s; got %v", v, k, got)
		}
	}
}
