#!/usr/bin/env python3
"""The cases scripts/leaks.sh runs under valgrind, one per line on stdout, tab-separated: name, accepted exit
statuses (comma-separated), stdin file or "-", expected stdout (exact, trailing newline stripped) or "-", then
the arguments. Inputs that are not in testvectors/ are written to $JWTK_LEAKS_WORK/in/. Run from the
repository root (leaks.sh does)."""
import base64, glob, hashlib, hmac, json, os

work = os.environ["JWTK_LEAKS_WORK"]
inp = os.path.join(work, "in")
os.makedirs(inp, exist_ok=True)
cases = []
names = set()


def case(name, expect, args, stdin="-", stdout="-"):
    assert name not in names, name
    names.add(name)
    args = [str(a) for a in args]
    for a in args:
        assert "\t" not in a and "\n" not in a, (name, a)
    cases.append([name, ",".join(str(e) for e in expect), stdin, stdout] + args)


def write(name, content):
    path = os.path.join(inp, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)
    return path


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tamper(token):
    """Flips one bit in the middle of the signature (still valid base64url)."""
    h, p, s = token.split(".")
    sig = bytearray(unb64u(s))
    sig[len(sig) // 2] ^= 0x40
    return ".".join([h, p, b64u(bytes(sig))])


KEYS = "testvectors/generated/keys"
HS256_KEY = json.load(open(f"{KEYS}/hs256.private.jwk.json"))
HS256_SECRET = unb64u(HS256_KEY["k"])


def hs256_token(header, payload):
    signing_input = b64u(header) + "." + b64u(payload)
    mac = hmac.new(HS256_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64u(mac)


def family(alg):
    return {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}[alg[:2]]


# A key of another family than `alg`, for wrong-key runs.
WRONG_KEY = {"oct": f"{KEYS}/p256.public.jwk.json", "RSA": f"{KEYS}/p256.public.jwk.json",
             "EC": f"{KEYS}/rsa2048.public.jwk.json", "OKP": f"{KEYS}/rsa2048.public.jwk.json"}

# ------------------------------------------------------------------ RFC vectors (testvectors/rfc/*.json)
RFC_NOW = 1300819000  # before the RFC 7515/7519 exp 1300819380
for path in sorted(glob.glob("testvectors/rfc/*.json")):
    doc = json.load(open(path))
    for c in doc.get("cases", []):
        cid, alg, token = c["id"], c["alg"], c["token"]
        ok = c["expect"] == "valid"
        status = [0] if ok else [1]
        case(f"rfc/{cid}/inspect", [0], ["inspect", "--now", RFC_NOW, "--json", token])
        if c["key"] is None:  # alg none: refused whatever key is given
            case(f"rfc/{cid}/verify-jws", [1], ["verify", "--key", f"{KEYS}/hs256.public.jwk.json", "--jws", token])
            case(f"rfc/{cid}/verify", [1],
                 ["verify", "--key", f"{KEYS}/rsa2048.public.pem", "--now", RFC_NOW, "--ignore-audience", "--explain", token])
            continue
        key = write(f"{cid}.key.json", json.dumps(c["key"]))
        case(f"rfc/{cid}/thumbprint", [0], ["thumbprint", key])
        if cid.endswith(".1") or cid.endswith("A.3") or cid.endswith("A.4"):
            case(f"rfc/{cid}/jwks", [0], ["jwks", "--json", key])
        case(f"rfc/{cid}/verify-jws", status, ["verify", "--key", key, "--alg", alg, "--jws", "--json", token])
        if c.get("detached_payload") is not None:
            h, _, s = token.split(".")
            attached = ".".join([h, c["detached_payload"], s])
            case(f"rfc/{cid}/verify-jws-attached", [0], ["verify", "--key", key, "--alg", alg, "--jws", attached])
        if c["payload_is_json_object"]:
            case(f"rfc/{cid}/verify-claims", status,
                 ["verify", "--key", key, "--alg", alg, "--now", RFC_NOW, "--allow-missing-exp", "--ignore-audience", "--explain",
                  token])
            if ok:
                case(f"rfc/{cid}/verify-expired", [1],
                     ["verify", "--key", key, "--alg", alg, "--now", 1300819381, "--ignore-audience", token])
        if ok:
            case(f"rfc/{cid}/verify-tampered", [1], ["verify", "--key", key, "--alg", alg, "--jws", tamper(token)])
            case(f"rfc/{cid}/verify-wrong-key", [1],
                 ["verify", "--key", WRONG_KEY[family(alg)], "--jws", "--json", token])
        signing_key = c.get("private_key") or (c["key"] if c["key"].get("kty") == "oct" else None)
        if signing_key is not None and ok:
            priv = write(f"{cid}.private.json", json.dumps(signing_key))
            case(f"rfc/{cid}/thumbprint-private", [0], ["thumbprint", priv])
            case(f"rfc/{cid}/sign", [0],
                 ["sign", "--key", priv, "--alg", alg, "--set", "sub=leaks", "--iat", "--exp", "1h", "--now", RFC_NOW])
    for t in doc.get("thumbprints", []):
        jwk = write(f"thumb-{t['id']}.json", json.dumps(t["jwk"]))
        case(f"rfc/thumbprint/{t['id']}", [0], ["thumbprint", jwk], stdout=t["sha256"])
        if t["id"] == "rfc7638-3.1":
            case(f"rfc/thumbprint/{t['id']}/uri", [0], ["thumbprint", "--uri", jwk],
                 stdout="urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + t["sha256"])

# ------------------------------------------------------------------ generated keys and tokens
for path in sorted(glob.glob(f"{KEYS}/*")):
    case(f"gen/thumbprint/{os.path.basename(path)}", [0], ["thumbprint", path])

for path in ["testvectors/generated/jwks.json", "testvectors/generated/jwks-25.json", "testvectors/example/jwks.json",
             "Tests/jwtkCLITests/Fixtures/lint-jwks.json"]:
    case(f"jwks/{path}", [0], ["jwks", path])
    case(f"jwks/{path}/json", [0], ["jwks", "--json", path])
    case(f"thumbprint/{path}", [0], ["thumbprint", path])

SIGN_ALGS = {"RSA": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"], "EC256": ["ES256"], "EC384": ["ES384"],
             "EC521": ["ES512"], "OKP": ["EdDSA"], "HS256": ["HS256"], "HS384": ["HS384"], "HS512": ["HS512", "HS256"]}
KEY_CLASS = {"rsa2048": "RSA", "rsa3072": "RSA", "rsa4096": "RSA", "p256": "EC256", "p384": "EC384", "p521": "EC521",
             "ed25519": "OKP", "hs256": "HS256", "hs384": "HS384", "hs512": "HS512"}
for name, klass in KEY_CLASS.items():
    for alg in SIGN_ALGS[klass] if name not in ("rsa3072", "rsa4096") else ["RS256", "PS512"]:
        case(f"gen/sign/{name}/jwk/{alg}", [0],
             ["sign", "--key", f"{KEYS}/{name}.private.jwk.json", "--alg", alg, "--set", "sub=leaks", "--iat", "--exp", "1h"])
    if klass[:2] != "HS":
        alg = SIGN_ALGS[klass][0]
        case(f"gen/sign/{name}/pem/{alg}", [0], ["sign", "--key", f"{KEYS}/{name}.private.pem", "--alg", alg, "--exp", "1h"])
# Keys that must be refused for signing: wrong family / curve, too weak, public only.
case("gen/sign/p256-as-ES384", [2], ["sign", "--key", f"{KEYS}/p256.private.jwk.json", "--alg", "ES384"])
case("gen/sign/rsa2048-as-ES256", [2], ["sign", "--key", f"{KEYS}/rsa2048.private.pem", "--alg", "ES256"])
case("gen/sign/hs256-as-RS256", [2], ["sign", "--key", f"{KEYS}/hs256.private.jwk.json", "--alg", "RS256"])
case("gen/sign/rsa1024", [0, 2], ["sign", "--key", f"{KEYS}/rsa1024.private.jwk.json", "--alg", "RS256"])
case("gen/sign/rsa1024-pem", [0, 2], ["sign", "--key", f"{KEYS}/rsa1024.private.pem", "--alg", "RS256"])
case("gen/sign/hs256-short", [0, 2], ["sign", "--key", f"{KEYS}/hs256-short.private.jwk.json", "--alg", "HS256"])
case("gen/sign/public-jwk", [2], ["sign", "--key", f"{KEYS}/p256.public.jwk.json", "--alg", "ES256"])
case("gen/sign/public-pem", [2], ["sign", "--key", f"{KEYS}/rsa2048.public.pem", "--alg", "RS256"])
case("gen/sign/alg-none", [2], ["sign", "--key", f"{KEYS}/hs256.private.jwk.json", "--alg", "none"])
case("gen/sign/secret-file", [0], ["sign", "--secret-file", write("secret", HS256_SECRET), "--alg", "HS256", "--exp", "1h"])

tokens = json.load(open("testvectors/generated/tokens.json"))
seen_keys = set()
GEN_NOW = 1767225600
OIDC = ["--iss", "https://auth.smarttask.example", "--aud", "jwtk-demo-client"]
for c in tokens["cases"]:
    alg, key, token = c["alg"], c["key"], c["token"]
    hmac_key = family(alg) == "oct"
    source = ["--key", f"{KEYS}/{key}.public.jwk.json"] if hmac_key else ["--jwks", "testvectors/generated/jwks.json"]
    now = ["--now", c["now"]]
    # Every token: inspect, valid, tampered (bad signature), expired.
    case(f"gen/{c['id']}/inspect", [0], ["inspect", "--now", c["now"], token])
    case(f"gen/{c['id']}/verify", [0], ["verify", *source, *now, *OIDC, token])
    case(f"gen/{c['id']}/verify-tampered", [1], ["verify", *source, *now, *OIDC, "--explain", tamper(token)])
    case(f"gen/{c['id']}/verify-expired", [1], ["verify", *source, "--now", 4102444801, *OIDC, token])
    if key in seen_keys:
        continue  # the rest exercises key loading, key selection and claim checks, the same for each algorithm
    seen_keys.add(key)
    case(f"gen/{c['id']}/verify-wrong-key", [1], ["verify", "--key", WRONG_KEY[family(alg)], *now, *OIDC, token])
    case(f"gen/{c['id']}/verify-alg-not-allowed", [1],
         ["verify", *source, "--alg", "ES384" if alg != "ES384" else "ES256", *now, *OIDC, token])
    case(f"gen/{c['id']}/verify-oidc-explain", [0],
         ["verify", *source, *now, *OIDC, "--profile", "oidc", "--nonce", "n-0S6_WzA2Mj", "--explain", "--json", token])
    case(f"gen/{c['id']}/verify-not-yet", [1], ["verify", *source, "--now", c["now"] - 3600, *OIDC, "--json", token])
    case(f"gen/{c['id']}/verify-wrong-iss", [1],
         ["verify", *source, *now, "--iss", "https://auth.smarttask.example/", "--aud", "jwtk-demo-client", "--explain", token])
    if not hmac_key:  # the same public key in every other format
        for suffix in ["public.pem", "public.der", "cert.pem", "cert.der", "pkcs1.pem", "x5c.jwk.json"]:
            path = f"{KEYS}/{key}.{suffix}"
            if os.path.exists(path):
                case(f"gen/{c['id']}/verify-{suffix}", [0], ["verify", "--key", path, *now, *OIDC, token])
        case(f"gen/{c['id']}/verify-jwks-25", [1], ["verify", "--jwks", "testvectors/generated/jwks-25.json", *now, *OIDC, token])
    else:
        case(f"gen/{c['id']}/verify-secret-file", [0],
             ["verify", "--secret-file", write(f"{key}.secret", unb64u(json.load(open(f"{KEYS}/{key}.private.jwk.json"))["k"])),
              *now, *OIDC, token])
        case(f"gen/{c['id']}/verify-short-secret", [1],
             ["verify", "--key", f"{KEYS}/hs256-short.public.jwk.json", *now, *OIDC, token])
    case(f"gen/{c['id']}/verify-stdin", [0], ["verify", *source, *now, *OIDC, "-"], stdin=write(f"{c['id']}.jwt", token + "\n"))

# RSA below 2048 bits: refused by the policy.
case("gen/rsa1024/verify-refused", [1], ["verify", "--key", f"{KEYS}/rsa1024.public.pem", "--allow-missing-exp",
                                         "--ignore-audience", "--now", GEN_NOW, "e30.e30.AAAA"])

# ------------------------------------------------------------------ the bundled example
EX = "testvectors/example"
ex_token = open(f"{EX}/id_token.jwt").read().strip()
ex_stdin = f"{EX}/id_token.jwt"
EX_POLICY = ["--profile", "oidc", "--iss", "https://auth.smarttask.example", "--aud", "jwtk-demo-client", "--nonce",
             "n-0S6_WzA2Mj"]
case("example/verify", [0], ["verify", "--jwks", f"{EX}/jwks.json", *EX_POLICY, "--now", "2026-01-01T00:30:00Z", "-"], stdin=ex_stdin)
case("example/verify-json-explain", [0],
     ["verify", "--jwks", f"{EX}/jwks.json", *EX_POLICY, "--now", "2026-01-01T00:30:00Z", "--json", "--explain", ex_token])
case("example/verify-expired", [1], ["verify", "--jwks", f"{EX}/jwks.json", *EX_POLICY, "-"], stdin=ex_stdin)
case("example/verify-wrong-nonce", [1],
     ["verify", "--jwks", f"{EX}/jwks.json", "--profile", "oidc", "--iss", "https://auth.smarttask.example", "--aud",
      "jwtk-demo-client", "--nonce", "other", "--now", "2026-01-01T00:30:00Z", ex_token])
case("example/verify-tampered", [1],
     ["verify", "--jwks", f"{EX}/jwks.json", *EX_POLICY, "--now", "2026-01-01T00:30:00Z", "--explain", tamper(ex_token)])
case("example/verify-wrong-jwks", [1],
     ["verify", "--jwks", "testvectors/generated/jwks.json", *EX_POLICY, "--now", "2026-01-01T00:30:00Z", ex_token])
case("example/inspect", [0], ["inspect", "--now", "2026-01-01T00:30:00Z", "-"], stdin=ex_stdin)
case("example/inspect-json", [0], ["inspect", "--json", ex_token])
for path in sorted(glob.glob(f"{EX}/private/*")):
    case(f"example/thumbprint/{os.path.basename(path)}", [0], ["thumbprint", path])
    alg = "ES256" if "-ec-" in path else "RS256"
    case(f"example/sign/{os.path.basename(path)}", [0],
         ["sign", "--key", path, "--alg", alg, "--set", "iss=https://auth.smarttask.example", "--set", "aud=jwtk-demo-client",
          "--set", 'sub="248289761001"', "--iat", "--exp", "1h", "--now", "2026-01-01T00:00:00Z"])
for path in sorted(glob.glob("Tests/jwtkCLITests/Fixtures/ed448.*.pem")):
    case(f"fixture/thumbprint/{os.path.basename(path)}", [0], ["thumbprint", path])
case("fixture/sign/ed448", [0, 2], ["sign", "--key", "Tests/jwtkCLITests/Fixtures/ed448.private.pem", "--alg", "EdDSA"])

# ------------------------------------------------------------------ hand-made broken inputs (error paths)
HS = ["--key", f"{KEYS}/hs256.public.jwk.json", "--allow-missing-exp", "--ignore-audience"]
payload = b'{"sub":"x","exp":4102444800}'
malformed = {
    "empty": "",
    "one-segment": "abc",
    "two-segments": "a.b",
    "four-segments": "a.b.c.d",
    "jwe-five-segments": "a.b.c.d.e",
    "bad-base64-header": "!!!." + b64u(payload) + ".AAAA",
    "padded-base64": b64u(b'{"alg":"HS256"}') + "=." + b64u(payload) + ".AAAA",
    "header-not-json": b64u(b"not json") + "." + b64u(payload) + ".AAAA",
    "header-array": hs256_token(b'["HS256"]', payload),
    "header-duplicate-alg": hs256_token(b'{"alg":"HS256","alg":"none"}', payload),
    "header-too-deep": hs256_token(b'{"alg":"HS256","x":' + b"[" * 40 + b"]" * 40 + b"}", payload),
    "header-invalid-utf8": hs256_token(b'{"alg":"HS256","x":"\xff"}', payload),
    "header-nul": hs256_token(b'{"alg":"HS256","x":"a\\u0000b"}', payload),
    "alg-none": b64u(b'{"alg":"none"}') + "." + b64u(payload) + ".",
    "alg-NONE": b64u(b'{"alg":"NONE"}') + "." + b64u(payload) + ".",
    "alg-unknown": hs256_token(b'{"alg":"HS257"}', payload),
    "alg-not-string": hs256_token(b'{"alg":256}', payload),
    "crit-unknown": hs256_token(b'{"alg":"HS256","crit":["x-unknown"],"x-unknown":1}', payload),
    "crit-empty": hs256_token(b'{"alg":"HS256","crit":[]}', payload),
    "b64-false": hs256_token(b'{"alg":"HS256","b64":false,"crit":["b64"]}', payload),
    "payload-not-json": hs256_token(b'{"alg":"HS256"}', b"not json"),
    "payload-array": hs256_token(b'{"alg":"HS256"}', b"[1,2]"),
    "payload-duplicate": hs256_token(b'{"alg":"HS256"}', b'{"sub":"a","sub":"b"}'),
    "payload-too-deep": hs256_token(b'{"alg":"HS256"}', b'{"x":' + b"[" * 40 + b"]" * 40 + b"}"),
    "claim-wrong-type": hs256_token(b'{"alg":"HS256"}', b'{"exp":"tomorrow"}'),
    "signature-short": hs256_token(b'{"alg":"HS256"}', payload)[:-10],
    "too-large": hs256_token(b'{"alg":"HS256"}', b'{"x":"' + b"a" * 20000 + b'"}'),
}
for name, token in malformed.items():
    case(f"bad/token/{name}/verify", [1], ["verify", *HS, "--explain", token])
    if name in ("one-segment", "jwe-five-segments", "bad-base64-header", "header-not-json", "header-duplicate-alg",
                "header-too-deep", "alg-none", "crit-unknown", "payload-not-json", "payload-duplicate", "too-large"):
        case(f"bad/token/{name}/inspect", [0, 1], ["inspect", "--json", token])
case("bad/token/trailing-newline-argv", [1], ["verify", *HS, hs256_token(b'{"alg":"HS256"}', payload) + " "])
# ECDSA signatures: all-zero ("psychic"), r = n, DER instead of raw R||S, wrong length.
p256_token = next(c["token"] for c in tokens["cases"] if c["alg"] == "ES256")
h, p, _ = p256_token.split(".")
P256_N = bytes.fromhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
ES = ["--jwks", "testvectors/generated/jwks.json", "--now", GEN_NOW, *OIDC]
for name, sig in {"zero": bytes(64), "r-equals-n": P256_N + bytes(31) + b"\x01", "der": bytes.fromhex("3006020101020101"),
                  "short": bytes(63)}.items():
    case(f"bad/ecdsa/{name}", [1], ["verify", *ES, "--explain", f"{h}.{p}.{b64u(sig)}"])

# JWK Sets and keys that cannot be used.
p256 = json.load(open(f"{KEYS}/p256.public.jwk.json"))
p256_priv = json.load(open(f"{KEYS}/p256.private.jwk.json"))
p384_priv = json.load(open(f"{KEYS}/p384.private.jwk.json"))
rsa = json.load(open(f"{KEYS}/rsa2048.public.jwk.json"))
rsa_priv = json.load(open(f"{KEYS}/rsa2048.private.jwk.json"))
rsa3072_priv = json.load(open(f"{KEYS}/rsa3072.private.jwk.json"))
ed = json.load(open(f"{KEYS}/ed25519.public.jwk.json"))
off_curve = dict(p256, kid="off-curve", y=b64u(bytes(31) + b"\x01"))
bad_jwks = {
    "not-json": "{",
    "array": "[]",
    "keys-not-array": '{"keys":"x"}',
    "empty-set": '{"keys":[]}',
    "duplicate-member": '{"keys":[],"keys":[]}',
    "too-deep": '{"keys":[' + "[" * 40 + "]" * 40 + "]}",
    "ec-off-curve": json.dumps({"keys": [off_curve]}),
    "ec-short-x": json.dumps({"keys": [dict(p256, x=b64u(bytes(31)))]}),
    "ec-unknown-curve": json.dumps({"keys": [dict(p256, crv="P-192")]}),
    "rsa-bad-base64": json.dumps({"keys": [dict(rsa, n="!!!")]}),
    "rsa-n-zero": json.dumps({"keys": [dict(rsa, n="AA")]}),
    "rsa-e-huge": json.dumps({"keys": [dict(rsa, e=b64u(b"\x01" * 16))]}),
    "rsa-leading-zero": json.dumps({"keys": [dict(rsa, n="AA" + rsa["n"])]}),
    "okp-wrong-length": json.dumps({"keys": [dict(ed, x=b64u(bytes(31)))]}),
    "unknown-kty": json.dumps({"keys": [{"kty": "foo", "kid": "x"}]}),
    "use-enc": json.dumps({"keys": [dict(p256, use="enc")]}),
    "mixed": json.dumps({"keys": [off_curve, dict(rsa, n="!!!"), p256]}),
}
for name, text in bad_jwks.items():
    path = write(f"jwks-{name}.json", text)
    # "mixed" also holds the token's own key: the unusable keys are skipped and the token verifies.
    case(f"bad/jwks/{name}/verify", [0] if name == "mixed" else [1, 2], ["verify", "--jwks", path, *ES[2:], p256_token])
    case(f"bad/jwks/{name}/jwks", [0, 2], ["jwks", "--json", path])
    if name in ("not-json", "ec-off-curve", "rsa-n-zero", "mixed"):
        case(f"bad/jwks/{name}/thumbprint", [0, 2], ["thumbprint", path])

# Private keys whose members come from different keys (the pair checks), and truncated or padded DER/PEM.
mismatched = {
    "ec-d-of-other-key": dict(p256_priv, d=b64u(bytes(31) + b"\x07")),
    "rsa-q-of-other-key": dict(rsa_priv, q=rsa3072_priv["q"]),
    "rsa-d-of-other-key-no-crt": {k: v for k, v in dict(rsa_priv, d=rsa3072_priv["d"]).items() if k not in ("p", "q", "dp", "dq", "qi")},
    "rsa-no-crt": {k: v for k, v in rsa_priv.items() if k not in ("p", "q", "dp", "dq", "qi")},
    "rsa-partial-crt": {k: v for k, v in rsa_priv.items() if k != "qi"},
    "ec-curve-mismatch": dict(p384_priv, crv="P-256"),
}
for name, jwk in mismatched.items():
    path = write(f"priv-{name}.json", json.dumps(jwk))
    case(f"bad/private/{name}/sign", [0, 2], ["sign", "--key", path, "--alg", "ES256" if jwk["kty"] == "EC" else "RS256"])
    case(f"bad/private/{name}/thumbprint", [0, 2], ["thumbprint", path])

der = {os.path.basename(p): open(p, "rb").read() for p in glob.glob(f"{KEYS}/*.der")}
pkcs8_der = base64.b64decode("".join(l for l in open(f"{KEYS}/p256.private.pem").read().splitlines() if "-----" not in l))
broken_keys = {
    "spki-trailing-byte.der": der["p256.public.der"] + b"\x00",
    "spki-truncated.der": der["p256.public.der"][:-5],
    "cert-trailing-byte.der": der["rsa2048.cert.der"] + b"\x00",
    "cert-truncated.der": der["rsa2048.cert.der"][:-20],
    "garbage.pem": "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n",
    "bad-base64.pem": "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
    "unterminated.pem": "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der["p256.public.der"]).decode() + "\n",
    "not-a-key.txt": "hello\n",
    "empty": "",
}
for name, content in broken_keys.items():
    path = write(f"key-{name}", content)
    case(f"bad/key/{name}/verify", [1, 2], ["verify", "--key", path, *ES[2:], p256_token])
    case(f"bad/key/{name}/thumbprint", [2], ["thumbprint", path])
for name, content in {"pkcs8-trailing-byte.der": pkcs8_der + b"\x00", "pkcs8-truncated.der": pkcs8_der[:-3],
                      "pkcs8.der": pkcs8_der}.items():
    path = write(f"key-{name}", content)
    case(f"bad/key/{name}/sign", [0, 2], ["sign", "--key", path, "--alg", "ES256"])
case("bad/usage/no-key", [2], ["verify", p256_token])
case("bad/usage/alg-none", [2], ["verify", *HS, "--alg", "none", p256_token])
case("bad/usage/missing-file", [2], ["verify", "--jwks", os.path.join(inp, "missing.json"), p256_token])

for c in cases:
    print("\t".join(c))
