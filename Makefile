# accountd: the two commands a newcomer needs are `make demo` and `make test`.
GO      ?= go
BIN     := bin/accountd
export CGO_ENABLED := 1

.PHONY: build demo test lint bench docs clean

# The version rpc.discover reports (info.version): git describe, or the
# toolchain's VCS stamp when there is no git.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := $(if $(VERSION),-X github.com/accountd/accountd/rpc.Version=$(VERSION))

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/accountd

demo: build
	./$(BIN) demo

# The packages whose tests touch storage: they run once on SQLite and, when
# ACCOUNTD_TEST_POSTGRES_DSN names a PostgreSQL server, once more on it
# (services/imagecheck and services/notify touch no storage).
STORAGE_PKGS := ./store/... $(shell $(GO) list ./services/... | grep -v -e /imagecheck -e /notify) ./rpc/... ./cmd/...

test: lint
	$(GO) test -race -count=1 -timeout 30m ./...
	@if [ -n "$$ACCOUNTD_TEST_POSTGRES_DSN" ]; then \
		echo "== storage tests again on PostgreSQL (ACCOUNTD_TEST_DRIVER=postgres)"; \
		ACCOUNTD_TEST_DRIVER=postgres $(GO) test -race -count=1 -timeout 30m $(STORAGE_PKGS); \
	else \
		echo "== ACCOUNTD_TEST_POSTGRES_DSN is not set: the PostgreSQL half of the suite is SKIPPED (bash .ci/run sets it)"; \
	fi

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# The generated pages: the method and error references (docs/reference)
# from the server's own OpenRPC document and error table, and
# docs/configuration.md from the table of keys in config/keys.go. Tests fail
# while a committed page is stale.
docs:
	$(GO) run ./cmd/accountd reference docs/reference
	$(GO) test -count=1 ./config -run '^TestConfigurationDoc$$' -update

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./rpc/

clean:
	rm -rf bin demo
