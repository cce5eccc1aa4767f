#!/usr/bin/env bash
# Deterministic performance gate (make perf-check) and its baseline (make perf-update): jwtk-loop (release) under
# valgrind/callgrind, per verification of the benchmark tokens (testvectors/generated/tokens.json), with a fixed
# clock and deterministic hashing. No timing: instructions and call counts only.
#
#   scripts/perf-check.sh [--update] [CASE ...]      (default: HS256 RS256 ES256 EdDSA HS256-cached RS256-cached)
#
# CASE is an algorithm (full verification: jwtk-loop verify) or ALG-cached (a VerifiedTokenCache hit:
# jwtk-loop cached, where every operation after the warm-up one is a hit).
#
# Each case runs twice under callgrind: 1 operation and 1+N operations (jwtk-loop also does one warm-up
# operation); every figure is the difference divided by N, so start-up and one-time set-up cancel out.
# scripts/perf-gate.py splits the instructions by object and counts calls, prints a table and compares with
# Benchmarks/PerfBaseline/perf-baseline.json (committed next to the package-benchmark thresholds).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=check
if [ "${1:-}" = --update ]; then MODE=update; shift; fi
ALGS=("$@")
[ ${#ALGS[@]} -gt 0 ] || ALGS=(HS256 RS256 ES256 EdDSA HS256-cached RS256-cached)
BASELINE=Benchmarks/PerfBaseline/perf-baseline.json
OUT=.build/perf-check
# 2026-01-01T01:00:00Z: after the tokens' iat and nbf (2026-01-01T00:00:00Z), before their exp (2100).
NOW=1767229200
rm -rf "$OUT" && mkdir -p "$OUT/data"

command -v valgrind >/dev/null || { echo "perf-check: valgrind is not installed (make leaks-deps)" >&2; exit 2; }
# shellcheck source=scripts/jwtk-loop.sh
. scripts/jwtk-loop.sh
build_jwtk_loop
write_benchmark_tokens "$OUT/data"

# iterations per case: enough that one extra instruction per verification shows, few enough to stay fast
iterations() { case $1 in *-cached) echo 2000 ;; HS256) echo 400 ;; RS256) echo 100 ;; *) echo 40 ;; esac; }

args=()
for case_ in "${ALGS[@]}"; do
    alg=${case_%-cached}
    mode=verify
    [ "$alg" = "$case_" ] || mode=cached
    [ -f "$OUT/data/$alg.token" ] || { echo "perf-check: no benchmark token for $alg" >&2; exit 2; }
    jwk="testvectors/generated/keys/$(cat "$OUT/data/$alg.key").public.jwk.json"
    n=$(iterations "$case_")
    for count in 1 $((1 + n)); do
        file="$OUT/$case_.$count.callgrind"
        if ! SWIFT_DETERMINISTIC_HASHING=1 JWTK_LOOP_NOW=$NOW JWTK_LOOP_ITERATIONS=$count \
            valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$file" \
            "$LOOP" "$mode" "$alg" "$OUT/data/$alg.token" "$jwk" 1 1 >"$OUT/$case_.$count.log" 2>&1; then
            echo "perf-check: jwtk-loop failed for $case_ (log: $OUT/$case_.$count.log)" >&2
            tail -n 20 "$OUT/$case_.$count.log" >&2
            exit 1
        fi
    done
    args+=("$case_" "$n" "$OUT/$case_.1.callgrind" "$OUT/$case_.$((1 + n)).callgrind")
    echo "measured $case_" >&2
done
python3 scripts/perf-gate.py measure "$OUT/measured.json" "${args[@]}"
echo
echo "valgrind $(valgrind --version | sed 's/valgrind-//'), OpenSSL $(openssl version | awk '{print $2}'), jansson $(dpkg-query -W -f='${Version}' libjansson4 2>/dev/null || echo '?'); per verification, (1+N runs - 1 run) / N"
echo
python3 scripts/perf-gate.py "$MODE" "$BASELINE" "$OUT/measured.json"
