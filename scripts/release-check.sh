#!/usr/bin/env bash
# Checks the release configuration and builds a snapshot of every release archive,
# publishing nothing: goreleaser check, then goreleaser release --snapshot. The SBOM
# step is skipped unless syft is on PATH (it is a download this machine cannot make).
# GoReleaser is installed once, pinned, into $TORII_CONVERT_TOOLS/bin (default
# ~/.cache/torii-convert/bin) with go install: about 12 minutes the first time on a
# busy 2-core machine, nothing after.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${TORII_CONVERT_TOOLS:-$HOME/.cache/torii-convert}
goreleaser=github.com/goreleaser/goreleaser/v2@v2.15.1
mkdir -p "$tools/bin"

if [ "$(cat "$tools/bin/goreleaser.version" 2>/dev/null)" != "$goreleaser" ] || [ ! -x "$tools/bin/goreleaser" ]; then
  echo "release-check: building GoReleaser ($goreleaser) into $tools/bin; this takes several minutes" >&2
  start=$SECONDS
  GOBIN="$tools/bin" GOFLAGS=-buildvcs=false go install "$goreleaser"
  echo "$goreleaser" > "$tools/bin/goreleaser.version"
  echo "release-check: GoReleaser built in $((SECONDS - start))s" >&2
fi
export PATH="$tools/bin:$PATH"

goreleaser check

skip=sbom
if command -v syft >/dev/null 2>&1; then
  skip=
fi
# From a clone of HEAD: what a tag would release, whatever is uncommitted here, with
# the origin remote that GoReleaser reads the commit through.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-hardlinks . "$work/src"
start=$SECONDS
(cd "$work/src" && goreleaser release --snapshot --clean --skip="${skip:-publish}" --parallelism 2) >"$work/goreleaser.log" 2>&1 ||
  { cat "$work/goreleaser.log" >&2; exit 1; }
echo "release-check: snapshot built in $((SECONDS - start))s" >&2

# Six archives, each in checksums.txt, and a Linux binary that tells its version and commit.
commit=$(git rev-parse --short HEAD)
cd "$work/src/dist"
archives=$(ls torii-convert_*_{linux,darwin}_{amd64,arm64}.tar.gz torii-convert_*_windows_{amd64,arm64}.zip)
[ "$(echo "$archives" | wc -l)" = 6 ] || { echo "release-check: want 6 archives, got: $archives" >&2; exit 1; }
sha256sum --check --strict --quiet checksums.txt
bin=$(ls -d torii-convert_linux_amd64*/torii-convert)
if ldd "$bin" >/dev/null 2>&1; then echo "release-check: $bin is not static: $(ldd "$bin")" >&2; exit 1; fi
"$bin" --version | grep -Eq "^torii-convert version [0-9]+\.[0-9]+\.[0-9]+-snapshot\+[0-9a-f]+ \(commit $commit" ||
  { echo "release-check: $bin --version: $("$bin" --version)" >&2; exit 1; }
echo "release-check: ok: $(echo "$archives" | tr '\n' ' ')"
