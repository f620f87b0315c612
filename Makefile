# The test command of the README and of .ci/run.
FUZZTIME ?= 1m

.PHONY: test fuzz bench man build install release-check

# The version and commit that --version prints, stamped through -ldflags, so that they
# are there even when Go records no VCS information (-buildvcs=false, a tarball).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# A static binary, ./torii-convert.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o torii-convert ./cmd/torii-convert

# The same, into $(go env GOBIN), else ~/go/bin.
install:
	CGO_ENABLED=0 go install -trimpath -ldflags "$(LDFLAGS)" ./cmd/torii-convert

# goreleaser check and a snapshot build of every release binary, publishing nothing.
release-check:
	scripts/release-check.sh

# Installs the pinned test servers (Prism, MinIO, pre-commit) when missing, then runs
# every test; a server still missing fails its tests rather than skipping them.
test:
	scripts/test-tools.sh
	TORII_CONVERT_REQUIRE_TOOLS=1 go test ./...

# Each fuzz target for FUZZTIME; what they find is kept under testdata/fuzz as regression cases.
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench:
	bench/compare.sh

# The manual page, made from the same command definitions as --help.
man:
	go run ./cmd/torii-convert man > torii-convert.1
