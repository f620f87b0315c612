package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestVersionStamp: a binary built without VCS information, as in a container or from
// a tarball, still tells the version and commit stamped through -ldflags, as the
// Makefile, the Dockerfile and GoReleaser do.
func TestVersionStamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "torii-convert")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", bin,
		"-ldflags", "-X main.version=v1.2.3 -X main.commit=0123456789ab", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^torii-convert version v1\.2\.3 \(commit 0123456789ab, go[0-9.]+\S* [a-z0-9]+/[a-z0-9]+\)\n$`)
	if !want.Match(out) {
		t.Errorf("--version printed %q, want %s", out, want)
	}
}
