package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const validFile = `{"users": [{"email": "ada@example.com", "status": "active"}], "licenses": []}` + "\n"

// TestUploadIsWhatWasChecked: a file replaced after its check must not reach Torii
// unchecked, so sync uploads the copy it made while checking.
func TestUploadIsWhatWasChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte(validFile), 0o644); err != nil {
		t.Fatal(err)
	}
	fe := newEnv("", nil, false)
	sp, err := checkBeforeUpload(fe.env, path)
	if err != nil {
		t.Fatalf("checkBeforeUpload: %v; stderr:\n%s", err, fe.stderr)
	}
	defer dropSpool(sp)
	if err := os.WriteFile(path, []byte(`{"users": [{"email": "bob@", "status": "bogus"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(sp.path())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != validFile {
		t.Errorf("the upload would send %q, want the checked bytes %q", got, validFile)
	}
}

func TestCheckBeforeUploadRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		content string
		kind    kind
	}{
		"invalid":        {`{"users": [{"email": "bob@"}]}`, kindInvalid},
		"trailing bytes": {validFile + `{"users": []}`, kindInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "users.json")
			os.WriteFile(path, []byte(c.content), 0o644)
			fe := newEnv("", nil, false)
			sp, err := checkBeforeUpload(fe.env, path)
			var ce *cmdError
			if sp != nil || !errors.As(err, &ce) || ce.kind != c.kind {
				t.Fatalf("checkBeforeUpload = %v, %v; want a %v error and no copy", sp, err, c.kind)
			}
		})
	}
}
