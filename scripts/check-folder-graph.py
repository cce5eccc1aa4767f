#!/usr/bin/env python3
"""Derives the folder dependency graph of Sources/JWTK from the code and fails on a back-edge or a cycle.

A folder A depends on a folder B when a Swift file in A names a symbol declared in B: a top-level type,
function or constant, or a member that B adds to another folder's type in an `extension`. Comments and
string literals are ignored. The graph must follow LAYERS below: a folder may use only folders on a lower
layer (or its own). Folders missing from LAYERS fail too, so a new folder gets a place on purpose.

Usage:
  scripts/check-folder-graph.py             check Sources/JWTK (make lint)
  scripts/check-folder-graph.py --graph     also print every edge with one example symbol
  scripts/check-folder-graph.py --self-test feed the check a tree with a back-edge and a cycle; expect failure
"""
import os
import re
import sys
import tempfile

# Bottom first. A folder may depend only on folders listed before it (same-layer siblings may not depend
# on each other). "(root)" is Sources/JWTK itself (the front door).
LAYERS = [
    ["Support", "Concurrency", "Backend/Vector"],
    ["Errors"],
    ["Encoding"],
    ["Algorithms"],
    ["Backend/Jansson", "Backend/OpenSSL"],
    ["Keys"],
    ["Token"],
    ["Verification"],
    ["Keyring"],
    ["Validation"],
    ["Signing"],
    ["(root)"],
    ["DPoP"],
]

DECL = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|final|indirect|nonisolated)\s+)*"
    r"(?:struct|class|enum|protocol|actor|typealias|func|let|var)\s+([A-Za-z_]\w*)",
    re.M,
)
EXTENSION = re.compile(r"^(?:(?:public|package|internal|fileprivate|private)\s+)?extension\s+([A-Za-z_][\w.]*)", re.M)
MEMBER = re.compile(
    r"^    (?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|static|final|mutating|"
    r"nonisolated|override|convenience)\s+)*(?:func|var|let|init)\s*([A-Za-z_]\w*)?",
    re.M,
)
ANY_MEMBER = re.compile(
    r"^\s+(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|static|final|mutating|"
    r"nonisolated|override|convenience|class)\s+)*(?:func|var|let|case)\s+([A-Za-z_]\w*)",
    re.M,
)
IDENT = re.compile(r"[A-Za-z_]\w*")


def strip(text):
    """Removes comments and string literals (keeping line structure)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            i = n if j < 0 else j + 3
            out.append('""')
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            out.append('""')
        else:
            out.append(c)
            i += 1
    return "".join(out)


def folder_of(root, path):
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if len(parts) == 1:
        return "(root)"
    # Backend/ holds one folder per C library; each is a node of its own.
    return "/".join(parts[:2]) if parts[0] == "Backend" and len(parts) > 2 else parts[0]


def swift_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.endswith(".docc"))
        for name in sorted(filenames):
            if name.endswith(".swift"):
                yield os.path.join(dirpath, name)


def graph(root):
    files = {path: strip(open(path, encoding="utf-8").read()) for path in swift_files(root)}
    declared = {}  # name -> folder (top-level declarations)
    for path, text in files.items():
        for m in DECL.finditer(text):
            declared.setdefault(m.group(1), folder_of(root, path))
    members = {}  # member name -> set of folders whose extensions of another folder's type declare it
    qualified = {}  # (type, member) -> folder, for `Type.member` uses of an ambiguous member name
    for path, text in files.items():
        folder = folder_of(root, path)
        for block in re.split(r"(?=^\S)", text, flags=re.M):
            ext = EXTENSION.match(block)
            if not ext:
                continue
            owner = declared.get(ext.group(1).split(".")[0])
            if owner is None or owner == folder:
                continue
            for m in MEMBER.finditer(block):
                if m.group(1) and len(m.group(1)) >= 4:
                    members.setdefault(m.group(1), set()).add(folder)
                    qualified.setdefault((ext.group(1).split(".")[0], m.group(1)), folder)
    # Only names declared once in the whole module count: `parse` or `verify` exist on several types, and
    # telling them apart would need type checking.
    counts = {}
    for text in files.values():
        for m in ANY_MEMBER.finditer(text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    members = {
        name: next(iter(fs))
        for name, fs in members.items()
        if len(fs) == 1 and name not in declared and counts.get(name, 0) == 1
    }
    edges = {}  # (from, to) -> example symbol
    for path, text in files.items():
        folder = folder_of(root, path)
        own = {m.group(1) for m in DECL.finditer(text)}
        for name in sorted(set(IDENT.findall(text)) - own):
            target = declared.get(name)
            if target is None and name in members and re.search(r"\.\s*" + name + r"\b", text):
                target = members[name]
            if target is not None and target != folder:
                edges.setdefault((folder, target), f"{name} ({os.path.relpath(path, root)})")
        for (owner, name), target in sorted(qualified.items()):
            if target != folder and re.search(r"\b" + owner + r"\." + name + r"\b", text):
                edges.setdefault((folder, target), f"{owner}.{name} ({os.path.relpath(path, root)})")
    return edges


def problems(edges):
    layer = {f: i for i, names in enumerate(LAYERS) for f in names}
    found = []
    for (a, b), why in sorted(edges.items()):
        for f in (a, b):
            if f not in layer:
                found.append(f"folder {f} has no layer in scripts/check-folder-graph.py (edge {a} -> {b}: {why})")
        if a in layer and b in layer and layer[b] >= layer[a]:
            found.append(f"back-edge {a} -> {b}: {why}")
    # Cycles (reported even if the layers were edited to allow them).
    adj = {}
    for a, b in edges:
        adj.setdefault(a, set()).add(b)
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(adj.get(node, ())):
            if state.get(nxt) == 1:
                found.append("cycle " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(adj):
        if node not in state:
            visit(node, [])
    return sorted(set(found))


def check(root, show, quiet=False):
    edges = graph(root)
    if show:
        for (a, b), why in sorted(edges.items()):
            print(f"  {a} -> {b}   e.g. {why}")
    found = problems(edges)
    for p in found if not quiet else []:
        print("folder-graph: " + p, file=sys.stderr)
    return not found, len(edges)


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                f.write(text)

        write("Support/Exact.swift", "package enum Exact {\n    static func equal() -> Bool { true }\n}\n")
        write("Token/Token.swift", "struct Token {\n    let e = Exact.equal()\n}\n")
        ok, _ = check(tmp, False)
        if not ok:
            print("folder-graph self-test: a clean tree was refused", file=sys.stderr)
            return False
        # A back-edge: Support uses Token. It also closes a cycle. Comments and strings must not count.
        write("Support/Shown.swift", "enum Shown {\n    // Token\n    let s = \"Token\"\n}\n")
        ok, _ = check(tmp, False)
        if not ok:
            print("folder-graph self-test: a name in a comment or string counted as a use", file=sys.stderr)
            return False
        write("Support/Shown.swift", "enum Shown {\n    let t: Token? = nil\n}\n")
        ok, _ = check(tmp, False, quiet=True)
        if ok:
            print("folder-graph self-test: the back-edge Support -> Token was NOT detected", file=sys.stderr)
            return False
        # An extension member declared in a higher folder and used below it is an edge too.
        os.remove(os.path.join(tmp, "Support/Shown.swift"))
        write("Token/Exact+Token.swift", "extension Exact {\n    static func tokenish() -> Int { 1 }\n}\n")
        write("Support/Use.swift", "enum Use {\n    let n = Exact.tokenish()\n}\n")
        ok, _ = check(tmp, False, quiet=True)
        if ok:
            print("folder-graph self-test: an extension member's back-edge was NOT detected", file=sys.stderr)
            return False
    print("folder-graph self-test: ok (a clean tree passes; a back-edge, its cycle and an extension's back-edge fail)")
    return True


def main(argv):
    if "--self-test" in argv:
        return 0 if self_test() else 1
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "JWTK")
    ok, count = check(os.path.normpath(root), "--graph" in argv)
    if ok:
        print(f"folder-graph: ok ({count} edges, no back-edge, no cycle)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
