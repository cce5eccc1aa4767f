#!/usr/bin/env bash
# Runs the release `jwtk` binary under valgrind memcheck over every test vector (testvectors/**) and a set
# of hand-made broken inputs, through verify, inspect, jwks, thumbprint and sign, so that the success paths
# and the error paths (bad signature, wrong key, expired, malformed, alg none, unknown crit, bad JWK Set,
# bad PEM/DER, key pairs that do not match) all run once under memcheck.
#
# A run fails when valgrind reports any error (leaks of kind "definite" count as errors), when its
# definitely-lost bytes are not 0, or when jwtk's exit status is not the one the case expects (so an error
# path really was taken). "possibly lost" and "still reachable" (Swift runtime caches, threads alive at
# exit) are summed and reported, never failed on.
#
# Usage: scripts/leaks.sh [-j JOBS] [-k] [-f FILTER] [-s N]
#   JWTK_BIN   the binary (default: a release build in .build-valgrind with -Xcc -gdwarf-4, since valgrind 3.19
#              cannot read the DWARF 5 that clang emits for the C shims by default)
#   -j JOBS    valgrind runs in parallel (default: nproc)
#   -k         keep the work folder (logs) even when everything passed
#   -f FILTER  only the cases whose name contains FILTER
#   -s N       a sample: the first case of every group/command (name up to its second '/') and one case in N
#              of the rest, so every command and error class still runs (CI: the full set takes ~45 min)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

jobs=$(nproc)
keep=0
filter=""
sample=1
while getopts "j:kf:s:" opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    k) keep=1 ;;
    f) filter=$OPTARG ;;
    s) sample=$OPTARG ;;
    *) echo "usage: $0 [-j JOBS] [-k] [-f FILTER] [-s N]" >&2; exit 2 ;;
    esac
done

for tool in valgrind python3; do
    command -v "$tool" >/dev/null || { echo "leaks: $tool not found (make leaks installs it)" >&2; exit 2; }
done

if [ -z "${JWTK_BIN:-}" ]; then
    valgrind_build=(swift build -c release --scratch-path .build-valgrind -Xcc -gdwarf-4)
    "${valgrind_build[@]}" --product jwtk >&2
    JWTK_BIN="$("${valgrind_build[@]}" --show-bin-path)/jwtk"
fi
[ -x "$JWTK_BIN" ] || { echo "leaks: $JWTK_BIN is not an executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtk-leaks.XXXXXX")
export JWTK_LEAKS_WORK=$work

# valgrind 3.19 dies on the sigsuspend() of libdispatch's dispatch_main() (Swift's async main): see the comment
# in scripts/sanitizers/sigsuspend-copy.c. The preloaded replacement passes the kernel a copy of the mask.
cc=$(command -v cc || command -v gcc || command -v clang) || { echo "leaks: no C compiler for the sigsuspend shim" >&2; exit 2; }
"$cc" -shared -fPIC -O2 -o "$work/sigsuspend-copy.so" scripts/sanitizers/sigsuspend-copy.c
export JWTK_LEAKS_PRELOAD="$work/sigsuspend-copy.so"

# ---------------------------------------------------------------------------------------------- the cases
# One case per line, tab-separated: name, accepted exit statuses (comma-separated), stdin file or "-",
# expected stdout (exact, trailing newline stripped) or "-", then the arguments. Inputs that are not in
# testvectors/ are written to $work/in/ by this generator.
python3 scripts/leaks-cases.py >"$work/cases.tsv"

total_cases=$(wc -l <"$work/cases.tsv")
if [ -n "$filter" ]; then
    awk -F'\t' -v f="$filter" 'index($1, f)' "$work/cases.tsv" >"$work/cases.sel"
    mv "$work/cases.sel" "$work/cases.tsv"
fi
if [ "$sample" -gt 1 ]; then
    awk -F'\t' -v n="$sample" '{ split($1, p, "/"); g = p[1] "/" p[2] } !(g in seen) || NR % n == 0 { seen[g] = 1; print }' \
        "$work/cases.tsv" >"$work/cases.sel"
    mv "$work/cases.sel" "$work/cases.tsv"
fi
echo "leaks: $(wc -l <"$work/cases.tsv") of $total_cases cases, $jobs in parallel, binary $JWTK_BIN, work $work" >&2

# ---------------------------------------------------------------------------------------------- one run
# Writes $work/runs/N.result: name, status, expected, errors, definite, indirect, possible, reachable, verdict.
run_one() {
    local n=$1 line=$2
    local -a f
    IFS=$'\t' read -r -a f <<<"$line"
    local name=${f[0]} expect=${f[1]} stdin=${f[2]} stdout=${f[3]}
    local -a args=("${f[@]:4}")
    local log="$work/runs/$n.vg" out="$work/runs/$n.out" err="$work/runs/$n.err"
    [ "$stdin" = "-" ] && stdin=/dev/null
    local status=0
    LD_PRELOAD=$JWTK_LEAKS_PRELOAD timeout 600 valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=24 \
        --log-file="$log" "$JWTK_BIN" "${args[@]}" <"$stdin" >"$out" 2>"$err" || status=$?
    local errors definite indirect possible reachable
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -1)
    leak() { sed -n "s/.*$1: \([0-9,]*\) bytes.*/\1/p" "$log" | tr -d , | tail -1; }
    definite=$(leak "definitely lost")
    indirect=$(leak "indirectly lost")
    possible=$(leak "possibly lost")
    reachable=$(leak "still reachable")
    local verdict=ok
    if [ -z "$errors" ]; then
        # no ERROR SUMMARY: the run died before valgrind could print its summary.
        errors=0
        [ "$status" -ge 124 ] && [ "$status" -ne 99 ] && verdict="killed(status $status)"
    fi
    if [ "$errors" != 0 ] || [ "$status" = 99 ]; then verdict="valgrind errors"; fi
    if [ "${definite:-0}" != 0 ]; then verdict="definitely lost"; fi
    if [ "$verdict" = ok ] && [[ ",$expect," != *",$status,"* ]]; then verdict="exit $status, expected $expect"; fi
    if [ "$verdict" = ok ] && [ "$stdout" != "-" ] && [ "$(cat "$out")" != "$stdout" ]; then verdict="unexpected stdout"; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$expect" "$errors" "${definite:-0}" "${indirect:-0}" \
        "${possible:-0}" "${reachable:-0}" "$verdict" >"$work/runs/$n.result"
}
export -f run_one
export JWTK_BIN work

mkdir -p "$work/runs"
start=$(date +%s)
n=0
while IFS= read -r line; do
    n=$((n + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    run_one "$n" "$line" &
done <"$work/cases.tsv"
wait
elapsed=$(($(date +%s) - start))

# ---------------------------------------------------------------------------------------------- summary
cat "$work"/runs/*.result >"$work/results.tsv"
awk -F'\t' -v elapsed="$elapsed" -v work="$work" '
    { runs++; errors += $4; definite += $5; indirect += $6; possible += $7; reachable += $8
      if ($9 != "ok") { failed++; printf "FAIL  %-60s %s (valgrind log: see %s/runs)\n", $1, $9, work } }
    END {
        printf "\nleaks: %d runs, %d failed, %d valgrind errors; bytes lost over all runs: definitely %d, indirectly %d, possibly %d; still reachable %d; %ds\n",
            runs, failed, errors, definite, indirect, possible, reachable, elapsed
        exit failed > 0 ? 1 : 0
    }' "$work/results.tsv" && rc=0 || rc=$?

if [ "$rc" = 0 ] && [ "$keep" = 0 ]; then
    rm -rf "$work"
else
    for f in "$work"/runs/*.result; do
        if [ "$(cut -f9 "$f")" != ok ]; then
            echo "--- $(cut -f1 "$f"): $(basename "$f" .result).vg / .out / .err in $work/runs" >&2
        fi
    done
fi
exit "$rc"
