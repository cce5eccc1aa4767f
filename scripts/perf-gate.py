#!/usr/bin/env python3
"""Deterministic performance gate: reads callgrind output files, prints a table, compares with a baseline.

    perf-gate.py measure OUT.json CASE N SHORT.callgrind LONG.callgrind [CASE N SHORT LONG ...]
    perf-gate.py check BASELINE.json OUT.json      (exit 1 on a regression)
    perf-gate.py update BASELINE.json OUT.json     (writes the measured figures as the new baseline)

SHORT is a run of 1 operation, LONG a run of 1+N operations of the same case (plus the one warm-up operation
jwtk-loop always does); every figure is (LONG - SHORT) / N, so process start-up and one-time set-up (keys,
contexts, the Swift runtime) cancel out. Written by scripts/perf-check.sh (make perf-check / make perf-update).

Instructions are split by the object they execute in: libcrypto, libjansson, and jwtk's own (everything else:
the executable with JWTK linked in, the Swift runtime, libc, ...); the libc work that libcrypto and libjansson
call for themselves (malloc, memcpy, strtoll) counts as theirs. Call counts come from callgrind's caller
records (calls to the function from anywhere in the process).
"""
import json
import re
import sys

# Metrics, in table order: key, label, kind. kind "own" = tight gate, "lib" = loose two-sided gate,
# "count" = call count gate, "info" = printed only.
METRICS = [
    ("ir_own", "Ir jwtk own (exe + Swift runtime + libc)", "own"),
    ("ir_exe", "  of which the executable (JWTK)", "info"),
    ("ir_swift", "  of which the Swift runtime", "info"),
    ("ir_libc", "  of which libc (malloc, memcpy, ...)", "info"),
    ("ir_other", "  of which other objects", "info"),
    ("ir_libcrypto", "Ir libcrypto (+ the libc it calls)", "lib"),
    ("ir_jansson", "Ir libjansson (+ the libc it calls)", "lib"),
    ("json_loadb", "calls json_loadb", "count"),
    ("mutex_lock", "calls pthread_mutex_lock", "count"),
    ("rwlock", "calls pthread_rwlock_rd/wrlock (OpenSSL's)", "libcount"),
    ("swift_retain", "calls swift_retain", "count"),
    ("swift_release", "calls swift_release", "count"),
    ("malloc_own", "calls malloc etc. by jwtk + Swift runtime", "count"),
    ("malloc_lib", "calls malloc etc. by libcrypto + libjansson", "libcount"),
]
OWN_TOLERANCE = 0.03  # jwtk's own instructions: more than +3 % over the baseline fails
LIB_TOLERANCE = 0.15  # libcrypto / libjansson instructions: outside ±15 % (and ±500 Ir) fails
# call counts are exact integers per verification: one more call than the baseline fails ("count"); the calls
# libcrypto and libjansson make for themselves are gated like their instructions ("libcount", ±15 %)

CALL_GROUPS = {
    "json_loadb": {"json_loadb"},
    "mutex_lock": {"pthread_mutex_lock", "__pthread_mutex_lock", "___pthread_mutex_lock", "pthread_mutex_trylock",
                   "__pthread_mutex_trylock", "___pthread_mutex_trylock"},
    "rwlock": {"pthread_rwlock_rdlock", "__pthread_rwlock_rdlock", "___pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
               "__pthread_rwlock_wrlock", "___pthread_rwlock_wrlock"},
    "swift_retain": {"swift_retain", "swift_retain_n"},
    "swift_release": {"swift_release", "swift_release_n"},
    "malloc_own": {"malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc"},
    "malloc_lib": {"malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc"},
}
# which callers a call group counts: "own" = calls made from jwtk's objects, "lib" = from libcrypto/libjansson
CALLERS = {"malloc_own": "own", "malloc_lib": "lib"}
NAME_RE = re.compile(r"^\((\d+)\)(?: (.*))?$")


def bucket(obj):
    """'libcrypto', 'jansson' or 'own' for an object file path."""
    base = obj.rsplit("/", 1)[-1]
    if base.startswith("libcrypto"):
        return "libcrypto"
    if base.startswith("libjansson"):
        return "jansson"
    return "own"


def parse(path):
    """Of one callgrind output file: exclusive Ir per object file; the inclusive Ir of calls that libcrypto or
    libjansson make into other objects (libc's malloc, memcpy, strtoll...), per (library, callee object); and call
    counts per callee name."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    space = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl", "cfl": "fl", "fn": "fn",
             "cfn": "fn"}

    def resolve(kind, value):
        m = NAME_RE.match(value)
        if not m:
            return value
        table = names[space[kind]]
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), value)

    ir_by_object = {}
    transferred = {}
    calls = {}
    ob = ""
    cob = None
    cfn = ""
    call_pending = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) >= 2 else 0
                if call_pending:  # the inclusive cost of a call: the callee's own lines count it already
                    call_pending = False
                    callee = cob if cob is not None else ob
                    # "???" is a PLT stub, whose own call to the libc function is counted on its own line
                    if bucket(ob) != "own" and bucket(callee) == "own" and callee != "???":
                        key = (bucket(ob), callee)
                        transferred[key] = transferred.get(key, 0) + cost
                    cob = None
                    continue
                ir_by_object[ob] = ir_by_object.get(ob, 0) + cost
                continue
            key, sep, value = line.partition("=")
            if not sep:
                continue
            if key == "ob":
                ob = resolve("ob", value)
            elif key == "cob":
                cob = resolve("cob", value)
            elif key in ("fl", "fi", "fe", "fn", "cfi", "cfl"):
                resolve(key, value)
            elif key == "cfn":
                cfn = re.sub(r"(@@?[A-Z_0-9.]+)?('\d+)?$", "", resolve("cfn", value))
            elif key == "calls":
                count = int(value.split()[0])
                key = (cfn, "own" if bucket(ob) == "own" else "lib")
                calls[key] = calls.get(key, 0) + count
                call_pending = True
    return ir_by_object, transferred, calls


def own_part(obj):
    """Which part of jwtk's own instructions an object file is."""
    base = obj.rsplit("/", 1)[-1]
    if base.startswith(("libswift", "libFoundation", "libdispatch", "lib_FoundationICU", "libBlocksRuntime")):
        return "ir_swift"
    if base.startswith(("libc.so", "libc-", "libm.so")):
        return "ir_libc"
    if base.startswith("jwtk-loop"):
        return "ir_exe"
    return "ir_other"


def figures(path):
    ir_by_object, transferred, calls = parse(path)
    out = {k: 0 for k, _, _ in METRICS}
    for obj, ir in ir_by_object.items():
        b = bucket(obj)
        if b == "libcrypto":
            out["ir_libcrypto"] += ir
        elif b == "jansson":
            out["ir_jansson"] += ir
        else:
            out["ir_own"] += ir
            out[own_part(obj)] += ir
    # What libcrypto and libjansson spend in libc (their malloc, memcpy, strtoll) is theirs, not jwtk's: a
    # distribution update of either library must not move jwtk's tightly gated figure.
    for (lib, callee), ir in transferred.items():
        out["ir_libcrypto" if lib == "libcrypto" else "ir_jansson"] += ir
        out["ir_own"] -= ir
        out[own_part(callee)] -= ir
    for key, group in CALL_GROUPS.items():
        callers = CALLERS.get(key)
        out[key] = sum(n for (name, caller), n in calls.items() if name in group and callers in (None, caller))
    return out


def measure(args):
    out_path, rest = args[0], args[1:]
    if len(rest) % 4:
        sys.exit("measure: CASE N SHORT LONG, repeated")
    result = {}
    for i in range(0, len(rest), 4):
        case, n, short, long_ = rest[i], int(rest[i + 1]), rest[i + 2], rest[i + 3]
        a, b = figures(short), figures(long_)
        result[case] = {k: round((b[k] - a[k]) / n, 1) for k, _, _ in METRICS}
        result[case]["iterations"] = n
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")


def limit_for(kind, base):
    if kind == "own":
        return None, base * (1 + OWN_TOLERANCE)
    if kind == "lib":  # ±15 %, and at least ±500 Ir (a cache hit runs next to no library code)
        return base * (1 - LIB_TOLERANCE) - 500, base * (1 + LIB_TOLERANCE) + 500
    if kind == "libcount":  # ±15 %, and at least one call either way
        return max(0, base * (1 - LIB_TOLERANCE) - 1), base * (1 + LIB_TOLERANCE) + 1
    if kind == "count":
        return None, base + 0.5
    return None, None


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 10000:
        return f"{v / 1000:.1f}k"
    return f"{v:g}" if v == int(v) else f"{v:.1f}"


def check(args, update=False):
    baseline_path, measured_path = args
    measured = json.load(open(measured_path))
    try:
        baseline = json.load(open(baseline_path))
    except FileNotFoundError:
        baseline = {"cases": {}}
    failures = []
    rows = []
    for case, now in measured.items():
        base = baseline.get("cases", {}).get(case)
        for key, label, kind in METRICS:
            v = now[key]
            if base is None or key not in base:
                rows.append((case, label, None, v, "", "", "new"))
                if kind != "info" and not update:
                    failures.append(f"{case}: {label}: no baseline (run make perf-update and commit it)")
                continue
            b = base[key]
            change = "" if not b else f"{(v - b) / b * 100:+.1f} %"
            lo, hi = limit_for(kind, b)
            verdict = ""
            if kind != "info":
                if hi is not None and v > hi:
                    verdict = "FAIL"
                elif lo is not None and v < lo:
                    verdict = "FAIL (below)"
                elif v < b and kind in ("own", "count") and (b - v) / max(b, 1) > 0.01:
                    verdict = "better"
                else:
                    verdict = "ok"
            limit = ""
            if lo is not None and hi is not None:
                limit = f"{fmt(lo)}..{fmt(hi)}"
            elif hi is not None:
                limit = f"<= {fmt(hi)}"
            rows.append((case, label, b, v, change, limit, verdict))
            if verdict.startswith("FAIL"):
                failures.append(f"{case}: {label}: {fmt(v)} against baseline {fmt(b)} (limit {limit})")
    widths = [max(len(str(r[i] if i not in (2, 3) else fmt(r[i]))) for r in rows + [("case", "metric per verification",
                                                                                        None, None, "change", "limit",
                                                                                        "verdict")])
              for i in range(7)]
    widths[2] = max(widths[2], len("baseline"))
    widths[3] = max(widths[3], len("now"))
    head = ("case", "metric per verification", "baseline", "now", "change", "limit", "verdict")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    last = None
    for r in rows:
        cells = [r[0] if r[0] != last else "", r[1], fmt(r[2]), fmt(r[3]), r[4], r[5], r[6]]
        last = r[0]
        print("| " + " | ".join(str(c).rjust(w) if i in (2, 3, 4) else str(c).ljust(w)
                                for i, (c, w) in enumerate(zip(cells, widths))) + " |")
    print()
    print(f"gates: jwtk's own Ir +{OWN_TOLERANCE * 100:.0f} %; libcrypto/libjansson Ir ±{LIB_TOLERANCE * 100:.0f} %; "
          "jwtk's call counts: one more call per verification fails; the libraries' own calls ±15 %")
    if update:
        cases = baseline.get("cases", {})
        for case, now in measured.items():
            cases[case] = now
        baseline["cases"] = cases
        baseline["comment"] = ("Per-verification figures of jwtk-loop under valgrind/callgrind, written by make "
                               "perf-update (scripts/perf-check.sh); make perf-check gates against them.")
        with open(baseline_path, "w") as f:
            json.dump(baseline, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"perf-update: wrote {baseline_path} (the verdicts above compare with the previous baseline)")
        return 0
    if failures:
        print("perf-check: FAILED")
        for f in failures:
            print("  " + f)
        return 1
    print("perf-check: passed")
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "measure":
        measure(args)
        return 0
    if cmd == "check":
        return check(args)
    if cmd == "update":
        return check(args, update=True)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
