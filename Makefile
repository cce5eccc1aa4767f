# jwtk — make targets. `make demo` and `make test` do all set-up on a fresh Debian machine.
SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libjansson-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help deps build release test lint format demo demo-oidc demo-service test-integration clean bench bench-check bench-update compare perf-check perf-update

## help: list the targets with what each does (from the `## target:` comments in this file)
help:
	@awk '/^## [a-z][a-z0-9-]*: / { t = $$2; sub(/:$$/, "", t); d = substr($$0, length($$2) + 5); printf "  %-14s %s\n", t, d; next } \
		/^## / && t != "" { printf "  %-14s %s\n", "", substr($$0, 4); next } { t = "" }' $(MAKEFILE_LIST)

## deps: install the system packages jwtk builds against (skipped when already present)
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@python3 -c 'import jsonschema' 2>/dev/null || { echo "installing: jsonschema (python3, validates --json output in the CLI tests)"; \
		python3 -m pip install -q jsonschema; }

## build: debug build of the package (library and CLI)
build: deps
	$(SWIFT) build

## release: release build of the package (use it for anything you time)
release: deps
	$(SWIFT) build -c release

## demo: build the CLI and verify the bundled example id_token against the bundled JWK Set
demo: deps
	$(SWIFT) build -c release --product jwtk
	@echo "+ jwtk verify --jwks testvectors/example/jwks.json --profile oidc --iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj --now 2026-01-01T00:30:00Z testvectors/example/id_token.jwt"
	@$$($(SWIFT) build -c release --show-bin-path)/jwtk verify --jwks testvectors/example/jwks.json --profile oidc \
		--iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj \
		--now 2026-01-01T00:30:00Z - < testvectors/example/id_token.jwt

## demo-oidc: the OpenID Connect commands against a loopback provider (scripts/demo-provider.py, 127.0.0.1 only):
## discover it, sign an ID token with the example key, verify it through discovery, call userinfo
DEMO_PORT ?= 47123
demo-oidc: deps
	$(SWIFT) build -c release --product jwtk
	@set -e; bin=$$($(SWIFT) build -c release --show-bin-path)/jwtk; iss=http://127.0.0.1:$(DEMO_PORT); \
	python3 scripts/demo-provider.py $(DEMO_PORT) 60 & pid=$$!; trap "kill $$pid 2>/dev/null" EXIT; \
	for i in $$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$(DEMO_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	echo "+ jwtk discover $$iss"; $$bin discover $$iss; \
	token=$$($$bin sign --key testvectors/example/private/smarttask-2026-01.private.jwk.json --alg RS256 \
		--set iss=$$iss --set aud=my-client --set 'sub="248289761001"' --set nonce=n-42 --iat --exp 1h \
		--now 2026-01-01T00:00:00Z); \
	echo; echo "+ jwtk verify --issuer $$iss --aud my-client --nonce n-42 --now 2026-01-01T00:30:00Z \"\$$TOKEN\""; \
	$$bin verify --issuer $$iss --aud my-client --nonce n-42 --now 2026-01-01T00:30:00Z "$$token"; \
	echo; echo "+ echo at-123 | jwtk userinfo --issuer $$iss --token-file - --sub 248289761001"; \
	echo at-123 | $$bin userinfo --issuer $$iss --token-file - --sub 248289761001

## demo-service: jwtk-example-service (Integrations/JWTKHummingbird) against demo-oidc's loopback provider,
## driven with curl: no token, a good token, an expired one, a wrong audience, a missing scope, the admin scope,
## a DPoP-bound token with a good and a replayed proof
SERVICE_PORT ?= 47124
INTEGRATION := Integrations/JWTKHummingbird
demo-service: deps
	$(SWIFT) build --product jwtk
	cd $(INTEGRATION) && $(SWIFT) build --product jwtk-example-service
	@set -e; bin=$$($(SWIFT) build --show-bin-path)/jwtk; \
	svc=$$(cd $(INTEGRATION) && $(SWIFT) build --show-bin-path)/jwtk-example-service; \
	iss=http://127.0.0.1:$(DEMO_PORT); url=http://127.0.0.1:$(SERVICE_PORT); \
	key=testvectors/example/private/smarttask-2026-01.private.jwk.json; \
	python3 scripts/demo-provider.py $(DEMO_PORT) 120 & ppid=$$!; trap 'kill $$ppid $$spid 2>/dev/null' EXIT; \
	for i in $$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$(DEMO_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	$$svc --port $(SERVICE_PORT) --issuer $$iss --audience my-api --dpop --token-cache 1024 & spid=$$!; \
	for i in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$(SERVICE_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	tok() { $$bin sign --key $$key --alg RS256 --set iss=$$iss --set 'sub="248289761001"' --iat "$$@"; }; \
	good=$$(tok --set aud=my-api --exp 1h); \
	admin=$$(tok --set aud=my-api --set 'scope="read admin"' --exp 1h); \
	expired=$$(tok --set aud=my-api --exp=-1h); \
	other=$$(tok --set aud=other-api --exp 1h); \
	show() { echo; echo "+ curl -i $$url$$1 $${3:+-H \"Authorization: Bearer <$$3 token>\"}"; \
		if [ -n "$$2" ]; then curl -s -i -H "Authorization: Bearer $$2" "$$url$$1"; else curl -s -i "$$url$$1"; fi \
		| tr -d '\r' | grep -iE '^(HTTP/|www-authenticate:)|^[{a-z]' || true; }; \
	show /healthz; show /me; show /me "$$good" GOOD; show /me "$$expired" EXPIRED; show /me "$$other" WRONG_AUDIENCE; \
	show /admin "$$good" GOOD; show /admin "$$admin" ADMIN; \
	dkey=testvectors/generated/keys/p256.private.jwk.json; \
	djwk=$$(python3 -c 'import json,sys; k=json.load(open(sys.argv[1])); print(json.dumps({m: k[m] for m in ("kty","crv","x","y")}))' $$dkey); \
	bound=$$(tok --set aud=my-api --set "cnf={\"jkt\":\"$$($$bin thumbprint $$dkey)\"}" --exp 1h); \
	ath=$$(printf %s "$$bound" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='); \
	proof=$$($$bin sign --key $$dkey --alg ES256 --typ dpop+jwt --header "jwk=$$djwk" --jti --set htm=GET \
		--set htu=$$url/me --set ath=$$ath --iat now --exp 1m); \
	dpop() { echo; echo "+ curl -i $$url/me -H \"Authorization: DPoP <DPoP-bound token>\" -H \"DPoP: <$$1 proof>\""; \
		curl -s -i -H "Authorization: DPoP $$bound" -H "DPoP: $$proof" $$url/me \
		| tr -d '\r' | grep -iE '^(HTTP/|www-authenticate:)|^[{a-z]' || true; }; \
	dpop GOOD; dpop REPLAYED; \
	echo; echo "+ curl /metrics | grep ^jwtk_"; curl -s $$url/metrics | grep '^jwtk_'

## test-integration: build and test the Hummingbird integration package (its own package and .build)
test-integration: deps
	cd $(INTEGRATION) && $(SWIFT) build --build-tests && $(SWIFT) test --skip-build

## test: the whole test suite (the README's test command; CI runs it)
test: deps
	$(SWIFT) test

INTEGRATION_SOURCES := Integrations/JWTKHummingbird/Sources Integrations/JWTKHummingbird/Tests Integrations/JWTKHummingbird/Package.swift

## lint: swift format lint --strict, the C-boundary check, the no-Mutex check and the folder-graph check of
## Sources/JWTK (no back-edge, no cycle; its self-test first) (CI)
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift $(INTEGRATION_SOURCES)
	bash scripts/check-c-boundary.sh
	bash scripts/check-locks.sh
	python3 scripts/check-folder-graph.py --self-test
	python3 scripts/check-folder-graph.py

## format: swift format the sources, tests and manifest in place
format:
	$(SWIFT) format -i -r Sources Tests Package.swift $(INTEGRATION_SOURCES)

## man: write the jwtk(1) man page (mdoc) to .build/man/jwtk.1, generated from the command tree (scripts/man.py)
.PHONY: man install-man
PREFIX ?= /usr/local
man: deps
	$(SWIFT) build --product jwtk
	@mkdir -p .build/man
	"$$($(SWIFT) build --show-bin-path)/jwtk" --experimental-dump-help | python3 scripts/man.py > .build/man/jwtk.1
	@echo "wrote .build/man/jwtk.1 (view: man -l .build/man/jwtk.1)"

## install-man: install the man page into $(PREFIX)/share/man/man1 (PREFIX=/usr/local by default; DESTDIR honoured)
install-man: man
	install -d "$(DESTDIR)$(PREFIX)/share/man/man1"
	install -m 0644 .build/man/jwtk.1 "$(DESTDIR)$(PREFIX)/share/man/man1/jwtk.1"

## clean: remove .build
clean:
	rm -rf .build

## docs: build the DocC documentation of JWTK, JWTKInspection and JWTKRemote (one combined archive, so links across the
## modules resolve); any warning, a broken symbol link or an undocumented parameter included, fails (CI)
.PHONY: docs
docs: deps
	$(SWIFT) package generate-documentation --target JWTK --target JWTKInspection --target JWTKRemote \
		--enable-experimental-combined-documentation --warnings-as-errors

## bench: run the benchmarks (Benchmarks/, package-benchmark; time and allocations per benchmark)
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## bench-check: run the benchmarks and fail when allocations exceed Benchmarks/Thresholds (CI; time is reported, not gated)
bench-check: deps
	cd Benchmarks && $(SWIFT) package benchmark thresholds check

## bench-update: re-record Benchmarks/Thresholds after an intended change in allocations (commit the result)
bench-update: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update
	python3 scripts/thresholds-allocations-only.py Benchmarks/Thresholds

## perf-check: deterministic performance gate (CI): jwtk-loop (release) under callgrind, per verification of the HS256,
## RS256, ES256 and EdDSA benchmark tokens with a fixed clock: jwtk's own instructions (+3 % fails), libcrypto and
## libjansson instructions (±15 %), calls of json_loadb, mutex locks, swift_retain/release and malloc, against
## Benchmarks/PerfBaseline/perf-baseline.json; prints the table. No timing
perf-check: deps leaks-deps
	bash scripts/perf-check.sh

## perf-update: re-record Benchmarks/PerfBaseline/perf-baseline.json after an intended change (commit the result)
perf-update: deps leaks-deps
	bash scripts/perf-check.sh --update

## compare: jwtk vs the OpenSSL floor, libjwt and cjose, same tokens and keys, 1 and 2 threads (COMPARE_FLAGS=-c adds valgrind counts)
compare: deps
	bash dev/compare-peers.sh $(COMPARE_FLAGS)

## Fuzzing: libFuzzer targets in Fuzz/ (a separate package; docs/FUZZING.md). Debug build with ASan + LeakSanitizer and
## SanitizerCoverage on the Swift code (without -sanitize-coverage only the C shims would be instrumented).
.PHONY: fuzz-build fuzz-smoke fuzz fuzz-seeds fuzz-clean
FUZZ_TARGETS ?= FuzzVerify FuzzInspect FuzzJWK FuzzKeyImport FuzzBase64URL FuzzClaims FuzzSignVerify FuzzRemoteDocuments
FUZZ_SCRATCH := .build-fuzz/build
FUZZ_SWIFT_FLAGS := --package-path Fuzz --scratch-path $(FUZZ_SCRATCH) -c debug --sanitize=fuzzer --sanitize=address \
	-Xswiftc -use-ld=lld -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table

## fuzz-build: build every fuzz target (one product at a time, so the CLI and its dependencies are not built)
fuzz-build: deps
	@set -e; for t in $(FUZZ_TARGETS); do echo "+ swift build --product $$t"; $(SWIFT) build $(FUZZ_SWIFT_FLAGS) --product $$t; done

## fuzz-seeds: rebuild the seed corpora in .build-fuzz/seeds from testvectors/ (the run targets do this too)
fuzz-seeds:
	python3 scripts/fuzz-seeds.py .build-fuzz/seeds

## fuzz-smoke: each target for FUZZ_SECONDS (default 60) from the seeds; fails on any crash, property failure or leak (CI)
fuzz-smoke: FUZZ_SECONDS ?= 60
fuzz-smoke: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_BIN="$$($(SWIFT) build $(FUZZ_SWIFT_FLAGS) --show-bin-path)" \
		bash scripts/fuzz-run.sh smoke

## fuzz: long local run, FUZZ_SECONDS (default 600) per target; corpora kept in .build-fuzz/corpus between runs
fuzz: FUZZ_SECONDS ?= 600
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_BIN="$$($(SWIFT) build $(FUZZ_SWIFT_FLAGS) --show-bin-path)" \
		bash scripts/fuzz-run.sh long

## fuzz-clean: remove the fuzz build, seeds and corpora (fuzz-artifacts/ is kept)
fuzz-clean:
	rm -rf .build-fuzz

## sanitizers and leaks
# Separate scratch paths, so a sanitizer build never replaces the plain one. lld silences ~140 gold warnings
# about the sanitizer runtimes' symbols. The suite uses Swift Testing only, so the XCTest runner is disabled
# (it leaks by itself under LeakSanitizer). Suppressions: scripts/sanitizers/*.supp, explained in docs/SANITIZERS.md.
SANITIZER_SWIFT_FLAGS := -Xswiftc -use-ld=lld --disable-xctest
LSAN_SUPPRESSIONS := $(CURDIR)/scripts/sanitizers/lsan.supp
TSAN_SUPPRESSIONS := $(CURDIR)/scripts/sanitizers/tsan.supp

.PHONY: test-asan test-tsan leaks leaks-deps

## test-asan: the whole suite under AddressSanitizer + LeakSanitizer (the jwtk binaries the CLI tests run too).
## ASAN_DETECT_LEAKS=0 keeps ASan's memory errors fatal but turns LeakSanitizer off (CI: docs/SANITIZERS.md)
ASAN_DETECT_LEAKS ?= 1
test-asan: deps
	ASAN_OPTIONS=detect_leaks=$(ASAN_DETECT_LEAKS) LSAN_OPTIONS=suppressions=$(LSAN_SUPPRESSIONS):print_suppressions=0 \
		$(SWIFT) test --scratch-path .build-asan --sanitize=address $(SANITIZER_SWIFT_FLAGS)

## test-tsan: the whole suite under ThreadSanitizer (the jwtk binaries the CLI tests run too). Every report, of
## the test runner or of a CLI child, is written to .build-tsan/reports/ and printed again at the end, so the
## tail of a CI log shows the races themselves; any report fails the target
TSAN_REPORTS := $(CURDIR)/.build-tsan/reports
test-tsan: deps
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	@status=0; \
	TSAN_OPTIONS=suppressions=$(TSAN_SUPPRESSIONS):print_suppressions=0:log_path=$(TSAN_REPORTS)/tsan \
		$(SWIFT) test --scratch-path .build-tsan --sanitize=thread $(SANITIZER_SWIFT_FLAGS) || status=$$?; \
	reports=$$(ls $(TSAN_REPORTS)); \
	if [ -n "$$reports" ]; then \
		echo "=== ThreadSanitizer reports ($$(echo $$reports | wc -w) file(s) in $(TSAN_REPORTS)):"; \
		for f in $(TSAN_REPORTS)/*; do echo "--- $$f"; cat "$$f"; done; \
		grep -h "^SUMMARY: ThreadSanitizer" $(TSAN_REPORTS)/* || true; \
		[ $$status -ne 0 ] || status=1; \
	fi; \
	exit $$status

## leaks-deps: install valgrind and python3 when missing
leaks-deps:
	@missing=""; for t in valgrind python3; do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## leaks: the release CLI under valgrind memcheck over every test vector (LEAKS_FLAGS: -j N, -f FILTER, -k)
leaks: deps leaks-deps
	bash scripts/leaks.sh $(LEAKS_FLAGS)
