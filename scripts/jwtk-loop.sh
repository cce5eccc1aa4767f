# Sourced by perf-check.sh and compare-peers.sh (from the repository root): the jwtk-loop build and the
# benchmark token files both measure.

# Builds Benchmarks' jwtk-loop (release) and sets LOOP to its path. Its own scratch path with -Xcc -gdwarf-4
# (valgrind 3.19 gives up on the DWARF 5 clang emits for the C shims), so the package-benchmark build in
# Benchmarks/.build is not rebuilt each time.
build_jwtk_loop() {
    local build=(swift build -c release --package-path Benchmarks --scratch-path Benchmarks/.build-valgrind -Xcc -gdwarf-4)
    echo "building jwtk-loop (release)..." >&2
    "${build[@]}" --product jwtk-loop >&2
    LOOP="$("${build[@]}" --show-bin-path)/jwtk-loop"
}

# Writes DIR/ALG.token and DIR/ALG.key (the key's file stem) for every case of testvectors/generated/tokens.json.
write_benchmark_tokens() {
    python3 - "$1" <<'PY'
import json, sys
out = sys.argv[1]
for c in json.load(open("testvectors/generated/tokens.json"))["cases"]:
    open(f"{out}/{c['alg']}.token", "w").write(c["token"])
    open(f"{out}/{c['alg']}.key", "w").write(c["key"])
PY
}
