# accountd: the two commands a newcomer needs are `make demo` and `make test`.
GO      ?= go
BIN     := bin/accountd
export CGO_ENABLED := 1

.PHONY: build demo test lint bench docs load clean

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

# make load: serves a new SQLite database (synchronous=FULL, the default
# request log at info into a file) from a temporary folder on a free
# loopback port, creates a PLATINUM key whose limit the load stays under,
# runs `accountd load` with LOAD_ARGS against it and stops the server.
# Against a server of your own: ./bin/accountd load --key FILE --url URL ...
# (docs/performance.md).
LOAD_ARGS ?= --mix GetDetails=4,AddAccount=1 --connections 32 --duration 10s --ceiling
load: build
	@set -e; dir=$$(mktemp -d); pid=; \
	trap 'if [ -n "$$pid" ]; then kill $$pid; wait $$pid || true; fi; rm -rf "$$dir"' EXIT; \
	export ACCOUNTD_DATABASE_DRIVER=sqlite ACCOUNTD_DATABASE_DSN="$$dir/load.db" ACCOUNTD_SERVER_ADDR=127.0.0.1:0 \
		ACCOUNTD_RATELIMIT_PLATINUM=1000000 ACCOUNTD_EKYC_DATA_KEY=$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n'); \
	./$(BIN) keys create --partner load --tier PLATINUM --out "$$dir/load.key.json" >/dev/null 2>&1; \
	./$(BIN) serve --otp.channel log >"$$dir/serve.log" 2>&1 & pid=$$!; \
	addr=; for i in $$(seq 100); do \
		addr=$$(grep '"message":"serving"' "$$dir/serve.log" | grep -o '"addr":"[^"]*"' | head -n 1 | cut -d'"' -f4); \
		[ -n "$$addr" ] && break; sleep 0.1; done; \
	[ -n "$$addr" ] || { echo "make load: the server did not start:"; cat "$$dir/serve.log"; exit 1; }; \
	./$(BIN) load --key "$$dir/load.key.json" --url "http://$$addr/jsonrpc" $(LOAD_ARGS)

clean:
	rm -rf bin demo
