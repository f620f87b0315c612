package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers keeps the architecture: data flows one way, and lower packages know nothing
// of higher ones, of HTTP or of the command line.
func TestLayers(t *testing.T) {
	const mod = "github.com/torii-convert/torii-convert/"
	benchApart := []string{mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "ipex", mod + "diff", mod + "report",
		mod + "internal", mod + "cmd", "github.com/urfave/cli"}
	forbidden := map[string][]string{
		"templates": {mod, "net/http", "github.com/urfave/cli"},
		// The model and its checks, under everything that reads or writes it.
		"schema": {mod + "convert", mod + "templates", mod + "torii", mod + "ipex", mod + "diff", mod + "report",
			mod + "internal/roster", mod + "internal/httpx", mod + "internal/state", mod + "cmd", "net/http", "github.com/urfave/cli"},
		"convert": {mod + "torii", mod + "ipex", mod + "diff", mod + "report", mod + "internal/httpx", mod + "internal/state", mod + "cmd",
			"net/http", "github.com/urfave/cli"},
		// The readers know rows and cells, not templates, the model or Torii.
		"convert/source": {mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "ipex", mod + "cmd", "net/http", "github.com/urfave/cli"},
		"torii": {mod + "convert", mod + "schema", mod + "templates", mod + "ipex", mod + "diff", mod + "report", mod + "internal/roster",
			mod + "internal/state", mod + "cmd", "github.com/urfave/cli", "github.com/xuri/excelize"},
		// The fake Torii stands alone: built from the client, it would agree with its bugs.
		"torii/toriitest": {mod, "github.com/urfave/cli"},
		// The helpdesk's client, like Torii's, knows nothing of spreadsheets or the file.
		"ipex": {mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "diff", mod + "report", mod + "internal/roster",
			mod + "cmd", "github.com/urfave/cli", "github.com/xuri/excelize"},
		// The fake helpdesk stands alone too: built from the client, it would agree with its bugs.
		"ipex/ipextest": {mod, "github.com/urfave/cli"},
		// What both API clients need of HTTP, below them and knowing nothing of either.
		"internal/httpx": {mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "ipex", mod + "cmd",
			"github.com/urfave/cli", "github.com/xuri/excelize"},
		// A fake clock for the clients' tests, of the standard library only.
		"internal/httpx/httpxtest": {mod, "net/http", "github.com/urfave/cli"},
		// State kept between runs: files, nothing of the model, the targets or the command line.
		"internal/state": {mod, "net/http", "github.com/urfave/cli"},
		// The compact people of a file: the model, nothing above it.
		"internal/roster": {mod + "convert", mod + "templates", mod + "torii", mod + "ipex", mod + "diff", mod + "report", mod + "cmd",
			"net/http", "github.com/urfave/cli", "github.com/xuri/excelize"},
		// The diff, the shrink guard and the waste report work on rosters: they read no
		// exports and reach no API; the command line feeds them.
		"diff": {mod + "convert", mod + "templates", mod + "torii", mod + "ipex", mod + "report", mod + "cmd",
			"net/http", "github.com/urfave/cli", "github.com/xuri/excelize"},
		"report": {mod + "convert", mod + "templates", mod + "torii", mod + "ipex", mod + "diff", mod + "cmd",
			"net/http", "github.com/urfave/cli", "github.com/xuri/excelize"},
		// Messages: words and numbers, nothing of the module.
		"internal/text": {mod, "net/http", "github.com/urfave/cli"},
		// The hostile inputs are bytes written blind: nothing of the readers they attack.
		"internal/hostile": {mod, "net/http", "github.com/urfave/cli"},
		// The benchmarks' inputs are made apart from the code they time.
		"bench/exports": benchApart,
		"bench/gen":     benchApart,
		"bench/floor":   benchApart,
		// The command line is the top: it may use every package.
		"cmd/torii-convert": nil,
	}
	out, err := exec.Command("go", "list", mod+"...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if _, ok := forbidden[strings.TrimPrefix(pkg, mod)]; !ok {
			t.Errorf("%s has no rule in TestLayers: say what it must not import", pkg)
		}
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if dep == b || strings.HasPrefix(dep, b+"/") || strings.HasPrefix(b, mod) && strings.HasPrefix(dep, b) {
					if dep != mod+pkg && dep != mod+"internal/text" {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		}
	}
}
