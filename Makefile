# accountd: the two commands a newcomer needs are `make demo` and `make test`.
GO      ?= go
BIN     := bin/accountd
export CGO_ENABLED := 1

.PHONY: build demo test lint bench clean

build:
	$(GO) build -o $(BIN) ./cmd/accountd

demo: build
	./$(BIN) demo

test: lint
	$(GO) test -race -count=1 ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./rpc/

clean:
	rm -rf bin demo
