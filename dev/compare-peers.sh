#!/usr/bin/env bash
# Compares jwtk's verification speed with the OpenSSL floor and with libjwt and cjose, on the same tokens
# and keys (testvectors/generated), in one run, single thread and two threads.
#
#   dev/compare-peers.sh [-n SLICES] [-m MILLIS] [-c] [ALG ...]      (make compare)
#
# -c adds a deterministic table from valgrind: instructions per operation (callgrind, ratio to floor-reuse)
#    and heap allocations per operation (memcheck), each the difference between 1+N and 1 operations.
#
# Runners (each one checks that every verification succeeded, or the script stops):
#   floor-reuse  dev/peers/floor.c: only the OpenSSL signature work, contexts reused per thread
#   floor-fresh  the same with fresh contexts per operation
#   jansson      dev/peers/floor.c too: json_loadb + json_decref of the token's decoded claims; OpenSSL alone
#                (floor-reuse) + jansson alone is the full floor, the ratio every column is given against
#   jwtk         Benchmarks' jwtk-loop (release): full verification (signature, iss, aud, exp, nbf, iat)
#   libjwt       Debian libjwt 1.10 (jwt_decode with the PEM key + exp check), dev/peers/libjwt.c
#   cjose        Debian cjose 0.6 (import, verify with a JWK, payload JSON + exp check), dev/peers/cjose.c
# The machine is noisy: runners alternate (a, b, c, ... then again), each slice MILLIS long, and the best
# (lowest ns/op) of SLICES slices counts. Ratios are to the full floor with the same thread count.
# Two-thread ns/op is aggregate (wall time / all operations of both threads).
set -euo pipefail
cd "$(dirname "$0")/.."
SLICES=5
MILLIS=200
COUNT=0
while getopts "n:m:c" opt; do
    case $opt in
    n) SLICES=$OPTARG ;;
    m) MILLIS=$OPTARG ;;
    c) COUNT=1 ;;
    *) echo "usage: $0 [-n SLICES] [-m MILLIS] [-c] [ALG ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
ALGS=("$@")
[ ${#ALGS[@]} -gt 0 ] || ALGS=(HS256 RS256 PS256 ES256 ES384 ES512 EdDSA)

# --- dependencies (Debian packages; installed when missing) ---
need=""
for p in gcc pkg-config python3 libssl-dev libjansson-dev libjwt-dev libcjose-dev $([ $COUNT = 1 ] && echo valgrind); do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    echo "installing:$need" >&2
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >&2
fi

# --- build ---
OUT=.build/peers
mkdir -p "$OUT/data"
CFLAGS="-O2 -gdwarf-4 -Wall -Werror"
gcc $CFLAGS -o "$OUT/floor" dev/peers/floor.c $(pkg-config --cflags --libs libcrypto jansson) -lpthread
gcc $CFLAGS -o "$OUT/libjwt" dev/peers/libjwt.c $(pkg-config --cflags --libs libjwt jansson) -lpthread
gcc $CFLAGS -o "$OUT/cjose" dev/peers/cjose.c $(pkg-config --cflags --libs cjose jansson) -lpthread
# shellcheck source=scripts/jwtk-loop.sh
. scripts/jwtk-loop.sh
build_jwtk_loop
write_benchmark_tokens "$OUT/data"
KEYS=testvectors/generated/keys

# command RUNNER ALG THREADS -> sets CMD (the runner's argv)
command_for() {
    local runner=$1 alg=$2 threads=$3 name token jwk pem
    token="$OUT/data/$alg.token"
    name=$(cat "$OUT/data/$alg.key")
    jwk="$KEYS/$name.public.jwk.json"
    pem="$KEYS/$name.public.pem"
    [ -f "$pem" ] || pem=$jwk # HMAC: the secret's JWK
    case $runner in
    floor-reuse) CMD=("$OUT/floor" reuse "$alg" "$token" "$pem" "$threads" "$MILLIS") ;;
    floor-fresh) CMD=("$OUT/floor" fresh "$alg" "$token" "$pem" "$threads" "$MILLIS") ;;
    jansson) CMD=("$OUT/floor" jansson "$alg" "$token" "$pem" "$threads" "$MILLIS") ;;
    jwtk) CMD=("$LOOP" verify "$alg" "$token" "$jwk" "$threads" "$MILLIS") ;;
    jwtk-decode) CMD=("$LOOP" decode "$alg" "$token" "$jwk" "$threads" "$MILLIS") ;;
    libjwt) CMD=("$OUT/libjwt" "$alg" "$token" "$pem" "$threads" "$MILLIS") ;;
    cjose) CMD=("$OUT/cjose" "$alg" "$token" "$jwk" "$threads" "$MILLIS") ;;
    esac
}

# run RUNNER ALG THREADS -> ns/op ("n/a" when unsupported); exits on a failed verification
run() {
    local runner=$1 alg=$2 threads=$3 out rc
    command_for "$runner" "$alg" "$threads"
    set +e
    out=$("${CMD[@]}")
    rc=$?
    set -e
    if [ $rc = 3 ]; then echo "n/a"; return; fi
    if [ $rc != 0 ]; then echo "FAILED: $runner $alg threads=$threads" >&2; exit 1; fi
    sed -E 's/^ns_per_op=([0-9.]+).*/\1/' <<<"$out"
}

RUNNERS=(floor-reuse jansson floor-fresh jwtk libjwt cjose)
declare -A BEST
for threads in 1 2; do
    for alg in "${ALGS[@]}"; do
        for ((slice = 0; slice < SLICES; slice++)); do
            for r in "${RUNNERS[@]}" $([ "$alg" = RS256 ] && echo jwtk-decode); do
                v=$(run "$r" "$alg" "$threads")
                k="$r/$alg/$threads"
                if [ "$v" = n/a ]; then BEST[$k]=n/a; continue; fi
                cur=${BEST[$k]:-}
                if [ -z "$cur" ] || awk -v a="$v" -v b="$cur" 'BEGIN { exit !(a < b) }'; then BEST[$k]=$v; fi
            done
        done
        echo "measured $alg, $threads thread(s)" >&2
    done
done

cell() { # ns/op and ratio to floor-reuse
    local v=${BEST[$1/$2/$3]:-n/a} f=${BEST[floor-reuse/$2/$3]}
    if [ "$v" = n/a ]; then printf "n/a"; return; fi
    awk -v v="$v" -v f="$f" 'BEGIN { if (v >= 10000) printf "%.1f µs (%.2f×)", v / 1000, v / f; else printf "%.0f ns (%.2f×)", v, v / f }'
}
ns() { awk -v v="$1" 'BEGIN { if (v >= 10000) printf "%.1f µs", v / 1000; else printf "%.0f ns", v }'; }
full_floor() { awk -v a="${BEST[floor-reuse/$1/$2]}" -v b="${BEST[jansson/$1/$2]}" 'BEGIN { printf "%.1f", a + b }'; }
fcell() { # ns/op and ratio to the full floor (OpenSSL alone + jansson alone, same run)
    local v=${BEST[$1/$2/$3]:-n/a} f
    f=$(full_floor "$2" "$3")
    if [ "$v" = n/a ]; then printf "n/a"; return; fi
    awk -v v="$v" -v f="$f" 'BEGIN { if (v >= 10000) printf "%.1f µs (%.2f×)", v / 1000, v / f; else printf "%.0f ns (%.2f×)", v, v / f }'
}
echo
echo "OpenSSL $(openssl version 2>/dev/null | awk '{print $2}'), jansson $(pkg-config --modversion jansson), $(nproc) CPUs, best of $SLICES interleaved ${MILLIS} ms slices"
echo "full floor = OpenSSL alone (floor-reuse) + jansson alone (json_loadb + json_decref of the claims), same run;"
echo "ratios to it (lower is faster; 1.00× is the floor of any jansson + OpenSSL verifier)"
for threads in 1 2; do
    echo
    echo "### $threads thread(s)$([ $threads = 2 ] && echo ', aggregate ns/op')"
    echo
    echo "| alg | OpenSSL alone | jansson alone | **full floor** | jwtk | cjose | libjwt | floor-fresh |"
    echo "|---|---|---|---|---|---|---|---|"
    for alg in "${ALGS[@]}"; do
        printf "| %s | %s | %s | **%s** | %s | %s | %s | %s |\n" "$alg" "$(ns "${BEST[floor-reuse/$alg/$threads]}")" \
            "$(ns "${BEST[jansson/$alg/$threads]}")" "$(ns "$(full_floor "$alg" $threads)")" "$(fcell jwtk "$alg" $threads)" \
            "$(fcell cjose "$alg" $threads)" "$(fcell libjwt "$alg" $threads)" "$(fcell floor-fresh "$alg" $threads)"
    done
    if [ -n "${BEST[jwtk-decode/RS256/$threads]:-}" ]; then
        echo
        echo "jwtk decode-only (UnverifiedJWT.decode, RS256 token): $(awk -v v="${BEST[jwtk-decode/RS256/$threads]}" 'BEGIN { printf "%.0f ns/op", v }')"
    fi
done

[ $COUNT = 1 ] || exit 0

# --- deterministic counts: valgrind, (1+N operations) - (1 operation), divided by N ---
# vg TOOL ITERATIONS -> callgrind: instructions; memcheck: allocations (of the whole process)
vg() {
    local tool=$1 n=$2
    if [ "$tool" = callgrind ]; then
        HARNESS_ITERATIONS=$n JWTK_LOOP_ITERATIONS=$n valgrind --tool=callgrind --callgrind-out-file=/dev/null "${CMD[@]}" 2>&1 |
            sed -n 's/.*Collected : //p'
    else
        HARNESS_ITERATIONS=$n JWTK_LOOP_ITERATIONS=$n valgrind --tool=memcheck "${CMD[@]}" 2>&1 |
            sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
    fi
}
per_op() { # TOOL N -> per-operation count, or n/a
    local a b
    a=$(vg "$1" 1)
    b=$(vg "$1" $((1 + $2)))
    if [ -z "$a" ] || [ -z "$b" ]; then echo n/a; else awk -v a="$a" -v b="$b" -v n="$2" 'BEGIN { printf "%.0f", (b - a) / n }'; fi
}
declare -A IR ALLOC
for alg in "${ALGS[@]}"; do
    case $alg in ES384 | ES512) n=20 ;; EdDSA) n=50 ;; *) n=200 ;; esac
    for r in "${RUNNERS[@]}" $([ "$alg" = RS256 ] && echo jwtk-decode); do
        [ "${BEST[$r/$alg/1]:-}" = n/a ] && { IR[$r/$alg]=n/a; ALLOC[$r/$alg]=n/a; continue; }
        command_for "$r" "$alg" 1
        IR[$r/$alg]=$(per_op callgrind $n)
        ALLOC[$r/$alg]=$(per_op memcheck $((n < 50 ? n : 50)))
    done
    echo "counted $alg" >&2
done
icell() { # instructions (ratio to the full floor's), allocations
    local v=${IR[$1/$2]:-n/a} f a=${ALLOC[$1/$2]:-n/a}
    f=$(awk -v x="${IR[floor-reuse/$2]}" -v y="${IR[jansson/$2]}" 'BEGIN { print x + y }')
    if [ "$v" = n/a ]; then printf "n/a"; return; fi
    awk -v v="$v" -v f="$f" -v a="$a" 'BEGIN { printf "%.1fk (%.2f×), %s allocs", v / 1000, v / f, a }'
}
echo
echo "### valgrind: instructions per operation (ratio to the full floor: OpenSSL alone + jansson alone) and heap allocations per operation"
echo
echo "| alg | OpenSSL alone | jansson alone | jwtk | cjose | libjwt | floor-fresh |"
echo "|---|---|---|---|---|---|---|"
for alg in "${ALGS[@]}"; do
    printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$alg" "$(icell floor-reuse "$alg")" "$(icell jansson "$alg")" "$(icell jwtk "$alg")" \
        "$(icell cjose "$alg")" "$(icell libjwt "$alg")" "$(icell floor-fresh "$alg")"
done
if [ -n "${IR[jwtk-decode/RS256]:-}" ]; then
    echo
    echo "jwtk decode-only (RS256 token): ${IR[jwtk-decode/RS256]} instructions, ${ALLOC[jwtk-decode/RS256]} allocations per operation"
fi
