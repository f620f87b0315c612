package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// TestKeyNeverShows runs every command that talks to Torii, in success, failure and
// dry run, with a recognisable key, and looks for it in everything they print and write.
// Torii itself must see it only in the Authorization header.
func TestKeyNeverShows(t *testing.T) {
	const secret = "tk_live_SECRET_d41d8cd98f00b204e9800998ecf8427e"
	var store *toriitest.MinIO
	if toriitest.Available("minio") || os.Getenv("CI") == "true" {
		store = toriitest.StartMinIO(t)
	}
	srv := toriitest.New(t, secret, store, 12345)
	sample, _ := filepath.Abs("../../testdata/samples/stripe-team.csv")
	dir := t.TempDir()
	t.Chdir(dir)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(secret+"\n"), 0o600)
	runs := [][]string{
		{"whoami"},
		{"whoami", "--format", "json"},
		{"whoami", "--dry-run"},
		{"whoami", "--api-key-file", keyFile},
		{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345"},
		{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345", "-o", "out.json", "--format", "json"},
		{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345", "--dry-run"},
		{"convert", "--template", "stripe", sample, "--sync", "--app-account", "999"},
		{"sync", "--app-account", "12345", "out.json"},
		{"sync", "--app-account", "12345", "out.json", "--dry-run", "--upload", "presigned"},
		{"sync", "--app-account", "12345", "--file-id", "424242", "--format", "json"},
	}
	if store != nil {
		runs = append(runs, []string{"sync", "--app-account", "12345", "out.json", "--upload", "presigned"})
	}
	srv.Inject(toriitest.Fault{Method: http.MethodGet, Path: "/orgs/my", Status: 500, Times: 1})
	for _, args := range runs {
		var stdout, stderr bytes.Buffer
		getenv := func(k string) string {
			return map[string]string{"TORII_API_KEY": secret, "TORII_API_URL": srv.URL}[k]
		}
		code := run(context.Background(), append([]string{"torii-convert"}, args...),
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: getenv, now: time.Now})
		t.Logf("torii-convert %s: exit %d", strings.Join(args, " "), code)
		for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(text, secret) || strings.Contains(text, secret[8:]) {
				t.Errorf("torii-convert %s (exit %d): the key is in its %s:\n%s", strings.Join(args, " "), code, name, text)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if data, _ := os.ReadFile(e.Name()); e.Name() != "key" && bytes.Contains(data, []byte(secret)) {
			t.Errorf("the key was written to %s", e.Name())
		}
	}
	if len(srv.Requests()) < 10 {
		t.Fatalf("only %d requests reached Torii; the runs did not run", len(srv.Requests()))
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, secret) || bytes.Contains(r.Body, []byte(secret)) {
			t.Errorf("%s %s carries the key outside the Authorization header", r.Method, r.Path)
		}
	}
}
