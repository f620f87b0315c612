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
	forbidden := map[string][]string{
		"templates": {mod, "net/http", "github.com/urfave/cli"},
		"schema":    {mod + "convert", mod + "templates", mod + "torii", mod + "cmd", "net/http", "github.com/urfave/cli"},
		"convert":   {mod + "torii", mod + "cmd", "net/http", "github.com/urfave/cli"},
		// The readers know rows and cells, not templates, the model or Torii.
		"convert/source": {mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "cmd", "net/http", "github.com/urfave/cli"},
		"torii":          {mod + "convert", mod + "schema", mod + "templates", mod + "cmd", "github.com/urfave/cli", "github.com/xuri/excelize"},
		// What both API clients need of HTTP, below them and knowing nothing of either.
		"internal/httpx": {mod + "convert", mod + "schema", mod + "templates", mod + "torii", mod + "ipex", mod + "cmd",
			"github.com/urfave/cli", "github.com/xuri/excelize"},
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
