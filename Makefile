# jwtk — make targets. `make demo` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libjansson-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release test lint format demo clean bench bench-check bench-update compare

## deps: install the system packages jwtk builds against (skipped when already present)
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## demo: build the CLI and verify the bundled example id_token against the bundled JWK Set
demo: deps
	$(SWIFT) build -c release --product jwtk
	@echo "+ jwtk verify --jwks testvectors/example/jwks.json --profile oidc --iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj --now 2026-01-01T00:30:00Z testvectors/example/id_token.jwt"
	@$$($(SWIFT) build -c release --show-bin-path)/jwtk verify --jwks testvectors/example/jwks.json --profile oidc \
		--iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj \
		--now 2026-01-01T00:30:00Z - < testvectors/example/id_token.jwt

## test: the whole test suite (the README's test command; CI runs it)
test: deps
	$(SWIFT) test

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift
	bash scripts/check-c-boundary.sh

format:
	$(SWIFT) format -i -r Sources Tests Package.swift

clean:
	rm -rf .build

## bench: run the benchmarks (Benchmarks/, package-benchmark; time and allocations per benchmark)
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## bench-check: run the benchmarks and fail when allocations exceed Benchmarks/Thresholds (CI; time is reported, not gated)
bench-check: deps
	cd Benchmarks && $(SWIFT) package benchmark thresholds check

## bench-update: re-record Benchmarks/Thresholds after an intended change in allocations (commit the result)
bench-update: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update

## compare: jwtk vs the OpenSSL floor, libjwt and cjose, same tokens and keys, 1 and 2 threads (COMPARE_FLAGS=-c adds valgrind counts)
compare: deps
	bash scripts/compare-peers.sh $(COMPARE_FLAGS)

## sanitizers and leaks
# Separate scratch paths, so a sanitizer build never replaces the plain one. lld silences ~140 gold warnings
# about the sanitizer runtimes' symbols. The suite uses Swift Testing only, so the XCTest runner is disabled
# (it leaks by itself under LeakSanitizer). Suppressions: scripts/sanitizers/*.supp, explained in docs/SANITIZERS.md.
SANITIZER_SWIFT_FLAGS := -Xswiftc -use-ld=lld --disable-xctest
LSAN_SUPPRESSIONS := $(CURDIR)/scripts/sanitizers/lsan.supp
TSAN_SUPPRESSIONS := $(CURDIR)/scripts/sanitizers/tsan.supp

.PHONY: test-asan test-tsan leaks leaks-deps

## test-asan: the whole suite under AddressSanitizer + LeakSanitizer (the jwtk binaries the CLI tests run too)
test-asan: deps
	LSAN_OPTIONS=suppressions=$(LSAN_SUPPRESSIONS):print_suppressions=0 \
		$(SWIFT) test --scratch-path .build-asan --sanitize=address $(SANITIZER_SWIFT_FLAGS)

## test-tsan: the whole suite under ThreadSanitizer (the jwtk binaries the CLI tests run too)
test-tsan: deps
	TSAN_OPTIONS=suppressions=$(TSAN_SUPPRESSIONS):print_suppressions=0 \
		$(SWIFT) test --scratch-path .build-tsan --sanitize=thread $(SANITIZER_SWIFT_FLAGS)

leaks-deps:
	@missing=""; for t in valgrind python3; do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## leaks: the release CLI under valgrind memcheck over every test vector (LEAKS_FLAGS: -j N, -f FILTER, -k)
leaks: deps leaks-deps
	bash scripts/leaks.sh $(LEAKS_FLAGS)
