# Two commands on a fresh Debian 12 machine with Swift: `make run` and `make test`.
SWIFT ?= swift
RUN_DIR ?= $(CURDIR)/.run
RUN_PORT ?= 8443
STUN_PORT ?= 3478

.PHONY: run test build deps test-deps release clean help bench

help:
	@echo "make run    install missing packages, build, start a local derper (TLS + STUN) and print its DERP map"
	@echo "make test   install missing packages, build and run every test target"

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# After the root package's tests, the benchmarks package (Benchmarks/) is built, so CI keeps the load
# generators compiling, and its tests run: BenchSupportTests and the allocation gates (AllocationTests,
# deterministic heap-allocation counts per request/frame/packet; their ceilings are for this debug build).
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) build --package-path Benchmarks --build-tests
	$(SWIFT) test --package-path Benchmarks --skip-build

run: deps
	$(SWIFT) build -c release --product derper
	@mkdir -p $(RUN_DIR)
	scripts/run-local-derper.sh "$$($(SWIFT) build -c release --show-bin-path)/derper" $(RUN_DIR) $(RUN_PORT) $(STUN_PORT)

clean:
	rm -rf .build .run Benchmarks/.build Benchmarks/results/run Benchmarks/results/profile

# Builds the load generators (Benchmarks/, its own package) and derper in release, measures derper against
# nginx (TLS proxy) and coturn (STUN) with server and generator on separate cores, prints the figures and
# target ratios and writes Benchmarks/results/latest.json. About 3 minutes after the build; see
# scripts/bench/run.sh for the BENCH_* knobs.
bench:
	@scripts/bench/install.sh
	scripts/bench/run.sh
