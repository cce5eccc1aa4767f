#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build` one after the other, each for FUZZ_SECONDS, and prints
# a summary line per target (executions, exec/s, coverage, features, corpus size, result).
#
#   scripts/fuzz-run.sh smoke   # fresh scratch corpora under .build-fuzz/smoke-corpus (CI: `make fuzz-smoke`)
#   scripts/fuzz-run.sh long    # persistent corpora under .build-fuzz/corpus, kept between runs (`make fuzz`)
#
# Environment: FUZZ_SECONDS (per target), FUZZ_TARGETS (space-separated subset), FUZZ_BIN (the build's bin dir),
# FUZZ_FLAGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-only_ascii=1").
# Exits 1 when any target crashes, fails a property, leaks, times out or runs out of memory; the input that did
# it is in fuzz-artifacts/<Target>-crash-… (or leak-/timeout-/oom-), and the target's log in .build-fuzz/logs/.
set -u
cd "$(dirname "$0")/.."

mode=${1:?usage: fuzz-run.sh smoke|long}
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-FuzzVerify FuzzInspect FuzzJWK FuzzKeyImport FuzzBase64URL FuzzClaims FuzzSignVerify}
bin=${FUZZ_BIN:?FUZZ_BIN must name the bin directory of the fuzz build}
case "$mode" in
    smoke) corpus_root=.build-fuzz/smoke-corpus; rm -rf "$corpus_root" ;;
    long) corpus_root=.build-fuzz/corpus ;;
    *) echo "fuzz-run.sh: unknown mode $mode" >&2; exit 2 ;;
esac

command -v python3 >/dev/null || { echo "fuzz-run.sh: python3 is needed for the seeds (apt-get install python3)" >&2; exit 2; }
python3 scripts/fuzz-seeds.py .build-fuzz/seeds >/dev/null || exit 2
mkdir -p fuzz-artifacts .build-fuzz/logs
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# The Swift runtime's own crash handler (swift-backtrace) must stay out of the way: under ASan it trips over the
# shadow memory, and the helper it leaves behind can hold the log pipe open.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

dictionary() {
    case "$1" in
        FuzzJWK | FuzzKeyImport) echo Fuzz/dictionaries/keys.dict ;;
        FuzzSignVerify) echo "" ;;
        *) echo Fuzz/dictionaries/jose.dict ;;
    esac
}

failed=0
summary=()
start_all=$(date +%s)
for target in $targets; do
    exe="$bin/$target"
    [ -x "$exe" ] || { echo "fuzz-run.sh: $exe is missing; run make fuzz-build" >&2; exit 2; }
    corpus="$corpus_root/$target"
    mkdir -p "$corpus"
    log=".build-fuzz/logs/$target.log"
    dict=$(dictionary "$target")
    echo "+ $target: ${seconds}s, corpus $corpus, seeds .build-fuzz/seeds/$target${dict:+, dictionary $dict}"
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
    "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
        -artifact_prefix="fuzz-artifacts/$target-" ${dict:+-dict="$dict"} ${FUZZ_FLAGS:-} \
        "$corpus" ".build-fuzz/seeds/$target" >"$log" 2>&1
    status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*')
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        failed=1
        artifact=$(grep -o "fuzz-artifacts/$target-[a-z]*-[0-9a-f]*" "$log" | tail -1)
        reason=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|fuzz property violated|Fatal error' "$log" | cut -c1-160)
        result="FAILED (exit $status) ${artifact:-no artifact}: $reason"
        echo "  $target failed; last lines of $log:" >&2
        tail -25 "$log" >&2
    fi
    line=$(printf '%-15s execs %10s  exec/s %7s  cov %5s  ft %6s  corpus %5s  %s' \
        "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
    echo "  $line"
    summary+=("$line")
done
echo
echo "fuzz $mode summary (${seconds}s per target, $(($(date +%s) - start_all))s in total):"
printf '  %s\n' "${summary[@]}"
exit $failed
