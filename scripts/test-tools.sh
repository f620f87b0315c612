#!/usr/bin/env bash
# Installs what the tests need beyond Go, once, into $TORII_CONVERT_TOOLS (default
# ~/.cache/torii-convert): the pinned Prism (npm, from torii/toriitest/package-lock.json)
# and the pinned MinIO (built with go install); and pre-commit and chromium from Debian's packages.
# Each is skipped when already there.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${TORII_CONVERT_TOOLS:-$HOME/.cache/torii-convert}
minio=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
mkdir -p "$tools/bin"

if ! cmp -s torii/toriitest/package-lock.json "$tools/package-lock.json" || [ ! -x "$tools/node_modules/.bin/prism" ]; then
  echo "test-tools: installing Prism into $tools" >&2
  cp torii/toriitest/package.json torii/toriitest/package-lock.json "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi

if [ "$(cat "$tools/bin/minio.version" 2>/dev/null)" != "$minio" ] || [ ! -x "$tools/bin/minio" ]; then
  echo "test-tools: building MinIO ($minio) into $tools/bin; this takes a few minutes" >&2
  GOBIN="$tools/bin" go install "$minio"
  echo "$minio" > "$tools/bin/minio.version"
fi

if ! command -v pre-commit >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-tools: installing pre-commit (Debian)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >&2
  else
    echo "test-tools: pre-commit is missing (apt-get install pre-commit); its test will skip" >&2
  fi
fi

# Chromium, for the test that loads the waste report's page in a real browser (the report
# package's TestHTMLInBrowser, driven by chromedp). Debian's package: browser downloads at
# test time do not work here.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-tools: installing chromium (Debian)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "test-tools: chromium is missing (apt-get install chromium); the report's browser test will skip" >&2
  fi
fi
