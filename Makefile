# The test command of the README and of .ci/run.
FUZZTIME ?= 1m

.PHONY: test fuzz bench man

# Installs the pinned test servers (Prism, MinIO, pre-commit) when missing, then runs
# every test; a server still missing fails its tests rather than skipping them.
test:
	scripts/test-tools.sh
	TORII_CONVERT_REQUIRE_TOOLS=1 go test ./...

# Each fuzz target for FUZZTIME; what they find is kept under testdata/fuzz as regression cases.
fuzz:
	@set -e; for pkg in $$(go list ./...); do \
	  for target in $$(go test -list 'Fuzz.*' $$pkg | grep ^Fuzz); do \
	    echo "fuzz $$pkg $$target"; \
	    go test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

bench:
	bench/compare.sh

# The manual page, made from the same command definitions as --help.
man:
	go run ./cmd/torii-convert man > torii-convert.1
