package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// version and commit are stamped at build time by `make build`, `make install`, the
// Dockerfile and GoReleaser:
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=0123456789ab" ./cmd/torii-convert
//
// so that --version tells them even when Go records no VCS information (-buildvcs=false,
// a build from a tarball or in a container). Without them, go install ...@v1.2.0 gives
// the module's version, and a build in a git clone the commit Go recorded.
var (
	version = "dev"
	commit  = ""
)

func init() {
	// The app's own --version only: -v is --verbose in the commands.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version and the commit it was built from"}
}

// versionText is what --version prints after "torii-convert version ":
//
//	v1.2.0 (commit 0123456789ab, go1.26.0 linux/amd64)
func versionText() string {
	v, c, dirty := version, commit, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value[:min(12, len(s.Value))]
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = true
			}
		}
	}
	if c == "" {
		c = "unknown"
	} else if dirty && commit == "" {
		c += ", modified"
	}
	return fmt.Sprintf("%s (commit %s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
