package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// TestPreCommitHooks installs the hooks of .pre-commit-hooks.yaml in a throwaway
// repository with pre-commit itself (Debian's package), from a commit of this checkout as
// it is now, and shows they fail on a bad file and pass on a good one.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the hooks with pre-commit; not in -short")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if toriitest.Required() {
			t.Fatal("pre-commit is not installed; scripts/test-tools.sh installs it")
		}
		t.Skip("pre-commit is not installed; scripts/test-tools.sh installs it")
	}
	root, _ := filepath.Abs("../..")
	hooks := snapshot(t, root)

	repo := t.TempDir()
	git(t, repo, "init", "-q")
	copyFile(t, filepath.Join(root, "testdata/golden/figma-csv/want.json"), filepath.Join(repo, "torii/good.json"))
	copyFile(t, filepath.Join(root, "testdata/golden/figma-csv/members.csv"), filepath.Join(repo, "members.csv"))
	write := func(name, text string) {
		os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755)
		os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644)
	}
	bad := `{"users": [{"email": "bob@"}]}` + "\n"
	write("torii/bad.json", bad)
	write("figma.torii.json", bad)
	write("data/bad.json", bad)
	write("package.json", `{"name": "web", "version": "1.0.0"}`+"\n") // no customIntegrationData file
	write("bad.csv", "Name,Email,Seat type\nBob,bob@,Full\n")
	rev := strings.TrimSpace(git(t, hooks, "rev-parse", "HEAD"))
	config := func(files string) {
		write(".pre-commit-config.yaml", "repos:\n  - repo: "+hooks+"\n    rev: "+rev+`
    hooks:
      - id: torii-convert-validate
`+files+`      - id: torii-convert-validate-export
        args: [--template, figma]
`)
	}
	config("")
	git(t, repo, "add", ".")

	cache := filepath.Join(os.TempDir(), "torii-convert-pre-commit") // hook builds are reused between runs
	run := func(files ...string) (string, error) {
		cmd := exec.Command("pre-commit", append([]string{"run", "--color", "never", "--files"}, files...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "PRE_COMMIT_HOME="+cache)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("torii/good.json", "members.csv"); err != nil {
		t.Fatalf("the hooks fail on good files:\n%s", out)
	}
	// The JSON hook checks files in a torii folder and *.torii.json, never package.json
	// or other JSON.
	if out, err := run("package.json", "data/bad.json"); err != nil {
		t.Errorf("the JSON hook checks files outside its pattern:\n%s", out)
	}
	for _, f := range []string{"torii/bad.json", "figma.torii.json"} {
		out, err := run(f)
		if err == nil || !strings.Contains(out, f+`:1:22: users[0].email: "bob@" is not an email address`) {
			t.Errorf("the JSON hook passes %s, or does not say why (%v):\n%s", f, err, out)
		}
	}
	out, err := run("bad.csv")
	if err == nil || !strings.Contains(out, `bad.csv:2:2 (Email): "bob@" is not an email address`) {
		t.Errorf("the export hook passes a bad file, or does not say why (%v):\n%s", err, out)
	}
	// files: in the configuration replaces the pattern, as the README says.
	config("        files: ^data/.*\\.json$\n")
	out, err = run("data/bad.json")
	if err == nil || !strings.Contains(out, `data/bad.json:1:22:`) {
		t.Errorf("files: in the configuration does not choose the files (%v):\n%s", err, out)
	}
}

// snapshot commits the checkout's files as they are, changes included, in a repository
// of its own, for pre-commit to install the hooks from.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	files := strings.Fields(git(t, root, "ls-files", "--cached", "--others", "--exclude-standard"))
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			copyFile(t, filepath.Join(root, f), filepath.Join(dir, f))
		}
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "snapshot")
	return dir
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(to), 0o755)
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
