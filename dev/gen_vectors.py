#!/usr/bin/env python3
"""Generate jwtk's test-vector data files under testvectors/.

What this writes (see testvectors/README.md for the file formats):

  testvectors/rfc/rfc{7515,7519,7520,7638,8037}.json
      Published RFC examples converted to the "jwtk-vectors/1" format. Input is
      the shared vector set (--shared, default ../shared/testvectors beside the repository):
      rfc/*.json ("jose-examples/1") and rfc7520-cookbook/.
  testvectors/generated/keys/
      Test keys for every JWS algorithm family, as JWK, PEM, DER and (for
      rsa2048 and p256) a self-signed X.509 certificate.
  testvectors/generated/tokens.json, jwks.json, jwks-25.json
      One OIDC-style id_token per JWS algorithm, the JWK Set they verify
      against, and a 25-key JWK Set for key-lookup tests.
  testvectors/example/
      The bundled demo: JWKS, an RS256 id_token and its private keys.

Every value is checked with the `cryptography` package before anything is
written; the script exits non-zero if a check fails.

Re-running is cheap and stable: keys are generated only when their files are
missing (or with --regenerate-keys), signatures are deterministic wherever the
algorithm allows it (HMAC, RSASSA-PKCS1-v1_5, Ed25519, RFC 6979 ECDSA), and an
RSASSA-PSS token that still verifies against an unchanged signing input is
kept. Files whose content did not change are not rewritten.

Usage:
  python3 dev/gen_vectors.py [--shared DIR] [--regenerate-keys]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import sys
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "testvectors"
DEFAULT_SHARED = Path(os.environ.get("JWTK_SHARED_VECTORS", REPO.parent / "shared" / "testvectors"))

FORMAT = "jwtk-vectors/1"

# Fixed instants used by the generated tokens (seconds since the epoch, UTC).
T_2026_01_01 = 1767225600  # 2026-01-01T00:00:00Z: iat / nbf / auth_time / "now"
T_2100_01_01 = 4102444800  # 2100-01-01T00:00:00Z: exp of the generated tokens


class VectorError(Exception):
    """A self-check failed; the message says which value is wrong."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise VectorError(message)


# ---------------------------------------------------------------------------
# Encoding helpers
# ---------------------------------------------------------------------------

def b64u(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Strict base64url decoding: no padding, no characters outside the alphabet,
    and no non-zero trailing bits (the text must be the canonical encoding)."""
    check("=" not in text, f"base64url value carries padding: {text[:40]}")
    check(len(text) % 4 != 1, f"impossible base64url length: {text[:40]}")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    check(b64u(raw) == text, f"non-canonical base64url: {text[:40]}")
    return raw


def int_to_b64u(value: int, length: int | None = None) -> str:
    """Big-endian unsigned integer; minimal length unless `length` is given."""
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return b64u(value.to_bytes(length, "big"))


def b64u_to_int(text: str) -> int:
    return int.from_bytes(b64u_decode(text), "big")


def compact_json(obj) -> bytes:
    """Compact JSON in the object's own member order (used inside tokens)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def file_json(obj) -> bytes:
    """The layout of every JSON data file: sorted keys, 2-space indent, UTF-8."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------
# Output bookkeeping: write only when the content changes, remember every path
# ---------------------------------------------------------------------------

WRITTEN: list[tuple[str, str]] = []  # (status, path relative to the repo)


def write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        status = "unchanged" if path.read_bytes() == data else "updated"
    else:
        status = "new"
    if status != "unchanged":
        path.write_bytes(data)
    WRITTEN.append((status, str(path.relative_to(REPO))))


def read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------------------
# Algorithms (RFC 7518 section 3, RFC 8037 section 3.1)
# ---------------------------------------------------------------------------

HASHES = {256: hashes.SHA256, 384: hashes.SHA384, 512: hashes.SHA512}

# EC curves usable with JWS: JWK crv -> (cryptography curve, coordinate octets)
CURVES = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}

# alg -> (family, hash bits, EC curve)
ALGS = {
    "HS256": ("HMAC", 256, None), "HS384": ("HMAC", 384, None), "HS512": ("HMAC", 512, None),
    "RS256": ("RSA", 256, None), "RS384": ("RSA", 384, None), "RS512": ("RSA", 512, None),
    "PS256": ("PSS", 256, None), "PS384": ("PSS", 384, None), "PS512": ("PSS", 512, None),
    "ES256": ("EC", 256, "P-256"), "ES384": ("EC", 384, "P-384"), "ES512": ("EC", 512, "P-521"),
    "EdDSA": ("OKP", None, "Ed25519"),
}

# Signature schemes whose output depends only on key and input.
DETERMINISTIC_FAMILIES = {"HMAC", "RSA", "OKP"}

MIN_RSA_BITS = 2048  # RFC 7518 section 3.3 / 3.5


def pss_padding(bits: int) -> padding.PSS:
    # RFC 7518 section 3.5: MGF1 with the same hash, salt length = hash length.
    return padding.PSS(mgf=padding.MGF1(HASHES[bits]()), salt_length=bits // 8)


# ---------------------------------------------------------------------------
# JWK <-> cryptography key objects
# ---------------------------------------------------------------------------

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


def public_part(jwk: dict) -> dict:
    """The JWK without private members (oct keys are returned unchanged)."""
    if jwk["kty"] == "oct":
        return dict(jwk)
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


def public_key_from_jwk(jwk: dict):
    kty = jwk["kty"]
    if kty == "RSA":
        return rsa.RSAPublicNumbers(b64u_to_int(jwk["e"]), b64u_to_int(jwk["n"])).public_key()
    if kty == "EC":
        curve, size = CURVES[jwk["crv"]]
        x, y = b64u_decode(jwk["x"]), b64u_decode(jwk["y"])
        check(len(x) == size and len(y) == size, f"EC coordinates must be {size} octets")
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve()
        ).public_key()
    if kty == "OKP":
        check(jwk["crv"] == "Ed25519", f"unsupported OKP curve {jwk['crv']}")
        return ed25519.Ed25519PublicKey.from_public_bytes(b64u_decode(jwk["x"]))
    raise VectorError(f"no public key for kty {kty}")


def private_key_from_jwk(jwk: dict):
    kty = jwk["kty"]
    if kty == "RSA":
        pub = rsa.RSAPublicNumbers(b64u_to_int(jwk["e"]), b64u_to_int(jwk["n"]))
        return rsa.RSAPrivateNumbers(
            p=b64u_to_int(jwk["p"]), q=b64u_to_int(jwk["q"]), d=b64u_to_int(jwk["d"]),
            dmp1=b64u_to_int(jwk["dp"]), dmq1=b64u_to_int(jwk["dq"]),
            iqmp=b64u_to_int(jwk["qi"]), public_numbers=pub,
        ).private_key()
    if kty == "EC":
        curve, _ = CURVES[jwk["crv"]]
        key = ec.derive_private_key(b64u_to_int(jwk["d"]), curve())
        check(public_jwk_members(key.public_key()) == {m: jwk[m] for m in ("crv", "x", "y")},
              "EC private key d does not match x/y")
        return key
    if kty == "OKP":
        key = ed25519.Ed25519PrivateKey.from_private_bytes(b64u_decode(jwk["d"]))
        check(public_jwk_members(key.public_key())["x"] == jwk["x"], "Ed25519 d does not match x")
        return key
    raise VectorError(f"no private key for kty {kty}")


def public_jwk_members(public_key) -> dict:
    """Key-type members of the public JWK (without kty/kid/use/alg)."""
    if isinstance(public_key, rsa.RSAPublicKey):
        nums = public_key.public_numbers()
        return {"n": int_to_b64u(nums.n), "e": int_to_b64u(nums.e)}
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        crv = {c().name: name for name, (c, _) in CURVES.items()}[public_key.curve.name]
        size = CURVES[crv][1]
        nums = public_key.public_numbers()
        return {"crv": crv, "x": int_to_b64u(nums.x, size), "y": int_to_b64u(nums.y, size)}
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"crv": "Ed25519", "x": b64u(raw)}
    raise VectorError(f"unsupported public key {type(public_key)}")


def kty_of(key) -> str:
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "RSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "EC"
    return "OKP"


def public_jwk_of(public_key, **extra) -> dict:
    return {"kty": kty_of(public_key), **public_jwk_members(public_key), **extra}


def private_jwk_of(private_key, **extra) -> dict:
    """Full JWK (public and private members) of an asymmetric private key."""
    jwk = public_jwk_of(private_key.public_key(), **extra)
    if isinstance(private_key, rsa.RSAPrivateKey):
        nums = private_key.private_numbers()
        jwk.update(d=int_to_b64u(nums.d), p=int_to_b64u(nums.p), q=int_to_b64u(nums.q),
                   dp=int_to_b64u(nums.dmp1), dq=int_to_b64u(nums.dmq1), qi=int_to_b64u(nums.iqmp))
    elif isinstance(private_key, ec.EllipticCurvePrivateKey):
        # RFC 7518 section 6.2.2.1: d has the full coordinate length.
        jwk["d"] = int_to_b64u(private_key.private_numbers().private_value, CURVES[jwk["crv"]][1])
    else:
        raw = private_key.private_bytes(serialization.Encoding.Raw,
                                        serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
        jwk["d"] = b64u(raw)
    return jwk


def check_jwk_shape(jwk: dict, where: str) -> None:
    """Encoding rules for the JWKs we publish: unpadded base64url, EC members of
    exactly the curve size, RSA integers without leading zero octets."""
    for member, value in jwk.items():
        if member in ("n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"):
            b64u_decode(value)  # raises on padding / non-canonical text
    if jwk["kty"] == "RSA":
        for member in ("n", "e", "d", "p", "q", "dp", "dq", "qi"):
            if member in jwk:
                check(b64u_decode(jwk[member])[0] != 0, f"{where}: RSA {member} has a leading zero")
    elif jwk["kty"] == "EC":
        size = CURVES[jwk["crv"]][1]
        for member in ("x", "y", "d"):
            if member in jwk:
                check(len(b64u_decode(jwk[member])) == size,
                      f"{where}: EC {member} is not {size} octets")
    elif jwk["kty"] == "OKP":
        for member in ("x", "d"):
            if member in jwk:
                check(len(b64u_decode(jwk[member])) == 32, f"{where}: Ed25519 {member} length")


# ---------------------------------------------------------------------------
# JWS signing and strict verification
# ---------------------------------------------------------------------------

def key_fits_alg(alg: str, jwk: dict) -> bool:
    """Whether a verification key is usable with `alg` at all (RFC 7518 rules:
    key type, curve, and minimum key sizes)."""
    family, bits, crv = ALGS[alg]
    kty = jwk.get("kty")
    if family == "HMAC":
        return kty == "oct" and len(b64u_decode(jwk["k"])) >= bits // 8
    if family in ("RSA", "PSS"):
        return kty == "RSA" and b64u_to_int(jwk["n"]).bit_length() >= MIN_RSA_BITS
    if family == "EC":
        return kty == "EC" and jwk.get("crv") == crv
    return kty == "OKP" and jwk.get("crv") == crv


def sign(alg: str, private_jwk: dict, signing_input: bytes) -> bytes:
    family, bits, crv = ALGS[alg]
    if family == "HMAC":
        return hmac.new(b64u_decode(private_jwk["k"]), signing_input,
                        getattr(hashlib, f"sha{bits}")).digest()
    key = private_key_from_jwk(private_jwk)
    if family == "RSA":
        return key.sign(signing_input, padding.PKCS1v15(), HASHES[bits]())
    if family == "PSS":
        return key.sign(signing_input, pss_padding(bits), HASHES[bits]())
    if family == "EC":
        # RFC 6979 deterministic nonces keep re-runs stable; the JWS encoding
        # is the raw R||S pair, each left-padded to the coordinate size.
        der = key.sign(signing_input, ec.ECDSA(HASHES[bits](), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        size = CURVES[crv][1]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(signing_input)


def verify(alg: str, jwk: dict, signing_input: bytes, signature: bytes) -> bool:
    """Strict JWS signature check: the key must fit the algorithm, ECDSA
    signatures must be raw R||S of exactly twice the coordinate size."""
    if alg not in ALGS or jwk is None or not key_fits_alg(alg, jwk):
        return False
    family, bits, crv = ALGS[alg]
    if family == "HMAC":
        expected = hmac.new(b64u_decode(jwk["k"]), signing_input,
                            getattr(hashlib, f"sha{bits}")).digest()
        return hmac.compare_digest(expected, signature)
    key = public_key_from_jwk(jwk)
    try:
        if family == "RSA":
            key.verify(signature, signing_input, padding.PKCS1v15(), HASHES[bits]())
        elif family == "PSS":
            key.verify(signature, signing_input, pss_padding(bits), HASHES[bits]())
        elif family == "EC":
            size = CURVES[crv][1]
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(HASHES[bits]()))
        else:
            key.verify(signature, signing_input)
    except (InvalidSignature, ValueError):
        return False
    return True


def split_compact(token: str) -> tuple[dict, bytes, bytes, bytes]:
    """-> (header, payload, signature, signing input). Segments are decoded
    strictly; the signing input is taken from the token as received."""
    parts = token.split(".")
    check(len(parts) == 3, f"compact JWS needs 3 segments: {token[:40]}")
    header = json.loads(b64u_decode(parts[0]))
    check(isinstance(header, dict), "protected header is not a JSON object")
    return header, b64u_decode(parts[1]), b64u_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii")


def make_token(alg: str, private_jwk: dict, header: dict, payload: bytes) -> str:
    signing_input = f"{b64u(compact_json(header))}.{b64u(payload)}"
    return f"{signing_input}.{b64u(sign(alg, private_jwk, signing_input.encode('ascii')))}"


def is_json_object(payload: bytes) -> bool:
    try:
        return isinstance(json.loads(payload.decode("utf-8")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 over the required members, lexicographic order, no
    whitespace."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
                "OKP": ("crv", "kty", "x"), "oct": ("k", "kty")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in required}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(canonical.encode("utf-8")).digest())


# ---------------------------------------------------------------------------
# Output 1: RFC cases
# ---------------------------------------------------------------------------

RFC_FILES = {  # our file -> (shared file, "source" of the whole file)
    "rfc7515.json": ("rfc7515.json", "RFC 7515"),
    "rfc7519.json": ("rfc7519.json", "RFC 7519"),
    "rfc7520.json": ("rfc7520.json", "RFC 7520"),
    "rfc7638.json": ("rfc7638.json", "RFC 7638"),
    "rfc8037.json": ("rfc8037.json", "RFC 8037"),
}

# RFC 7520 section 4 examples that have a compact serialization (4.6-4.8 are
# JSON-serialization only). 4.5 is the detached-content example.
COOKBOOK_COMPACT = {
    "4.1": "4_1.rsa_v15_signature.json",
    "4.2": "4_2.rsa-pss_signature.json",
    "4.3": "4_3.ecdsa_signature.json",
    "4.4": "4_4.hmac-sha2_integrity_protection.json",
    "4.5": "4_5.signature_with_detached_content.json",
}

# Notes in the shared files that do not describe their case; corrected here
# (the values themselves are carried over unchanged).
NOTE_FIXES = {
    "computed-rfc7515-A.3-ec-p256": (
        "Not published in any RFC; computed from the RFC 7638 canonical form. Required members "
        "crv, kty, x, y. (The jwk is the public key only; the P-521 case shows a key with d.)"
    ),
}


def classify_invalid(case: dict, header: dict, payload: bytes, signature: bytes,
                     signing_input: bytes) -> str:
    """Why an invalid case must be rejected; see README ("reject_reason")."""
    if "crit" in header:
        # jwtk understands no header extension, so any crit list is fatal.
        return "crit"
    if case["alg"] == "none" or header.get("alg") == "none":
        return "unsecured"
    if payload == b"" and case.get("detached_payload"):
        return "detached"
    if case["key"] is not None and not key_fits_alg(case["alg"], case["key"]):
        return "wrong-key"
    if not verify(case["alg"], case["key"], signing_input, signature):
        return "signature"
    return "other"


def convert_case(shared: dict) -> dict:
    """A jose-examples/1 case -> jwtk-vectors/1 (values unchanged)."""
    case = {
        "id": shared["id"],
        "source": shared["source"],
        "alg": shared["alg"],
        "token": shared["token"],
        "key": shared["key"],
        "expect": shared["expect"],
        "payload_is_json_object": shared["payload_json"],
        "notes": NOTE_FIXES.get(shared["id"], shared["notes"]),
    }
    if "private_key" in shared:
        case["private_key"] = shared["private_key"]
    return case


def cookbook_case(section: str, book: dict) -> dict:
    """A case built from an RFC 7520 cookbook file (only used when the shared
    rfc7520.json lacks it)."""
    key = book["input"]["key"]
    detached = section == "4.5"
    case = {
        "id": f"rfc7520-{section}",
        "source": f"RFC 7520, Section {section}",
        "alg": book["input"]["alg"],
        "token": book["output"]["compact"],
        "key": public_part(key),
        "expect": "invalid" if detached else "valid",
        "payload_is_json_object": is_json_object(book["input"]["payload"].encode("utf-8")),
        "notes": f"{book['title']} (from the ietf-jose/cookbook file {COOKBOOK_COMPACT[section]}).",
    }
    if key["kty"] != "oct":
        case["private_key"] = key
    return case


def finish_case(case: dict) -> dict:
    """Fill in reject_reason and deterministic_signature, then run every check
    that applies to the case."""
    cid = case["id"]
    header, payload, signature, signing_input = split_compact(case["token"])
    check(header.get("alg") == case["alg"],
          f"{cid}: header alg {header.get('alg')} != case alg {case['alg']}")
    content = b64u_decode(case["detached_payload"]) if "detached_payload" in case else payload
    check(is_json_object(content) == case["payload_is_json_object"],
          f"{cid}: payload_is_json_object is wrong")
    if case["key"] is not None:
        check_jwk_shape(case["key"], cid)
    family = ALGS.get(case["alg"], (None,))[0]

    # A private key must belong to the verification key.
    if "private_key" in case:
        priv = case["private_key"]
        check_jwk_shape(priv, cid)
        check(public_part(priv) == public_part(case["key"]), f"{cid}: private_key != key")
        check(public_jwk_members(private_key_from_jwk(priv).public_key())
              == {m: v for m, v in public_part(priv).items()
                  if m in ("n", "e", "crv", "x", "y")}, f"{cid}: private_key is inconsistent")

    if case["expect"] == "valid":
        case["reject_reason"] = None
        check(verify(case["alg"], case["key"], signing_input, signature),
              f"{cid}: expected valid, signature does not verify")
    else:
        reason = classify_invalid(case, header, payload, signature, signing_input)
        case["reject_reason"] = reason
        check(reason != "other", f"{cid}: invalid case that verifies")
        check(not verify(case["alg"], case["key"], signing_input, signature),
              f"{cid}: expected invalid, but verifies")
        if reason in ("unsecured", "crit"):
            check(signature == b"" and case["key"] is None, f"{cid}: unsecured JWS shape")
        if reason == "crit":
            check(all(name in header for name in header["crit"]), f"{cid}: crit names absent")
        if reason == "detached":
            # Verified with the out-of-band payload it must succeed.
            p0 = case["token"].split(".")[0]
            attached = f"{p0}.{case['detached_payload']}".encode("ascii")
            check(verify(case["alg"], case["key"], attached, signature),
                  f"{cid}: detached signature does not verify over its payload")
        if reason == "wrong-key":
            check(not key_fits_alg(case["alg"], case["key"]), f"{cid}: key fits alg")

    # deterministic_signature: signing the token's own signing input with the
    # case's signing key reproduces the signature byte for byte. Holds for
    # HS*/RS*/EdDSA valid cases with a signing key (private_key, or the oct
    # key itself for HS*); never for ES*/PS* (random nonce / salt).
    signing_key = case.get("private_key") or (case["key"] if family == "HMAC" else None)
    deterministic = (family in DETERMINISTIC_FAMILIES and case["expect"] == "valid"
                     and signing_key is not None)
    case["deterministic_signature"] = deterministic
    if deterministic:
        check(sign(case["alg"], signing_key, signing_input) == signature,
              f"{cid}: deterministic signature not reproduced")
    elif "private_key" in case and case["expect"] == "valid":
        # Randomised scheme: a fresh signature must verify instead.
        check(verify(case["alg"], case["key"], signing_input,
                     sign(case["alg"], case["private_key"], signing_input)),
              f"{cid}: fresh signature with private_key does not verify")
    return case


def build_rfc_files(shared_dir: Path, findings: list[str]) -> None:
    cookbook = shared_dir / "rfc7520-cookbook"
    for out_name, (shared_name, source) in RFC_FILES.items():
        shared = read_json(shared_dir / "rfc" / shared_name)
        check(shared.get("format") == "jose-examples/1", f"{shared_name}: unexpected format")
        cases = [convert_case(c) for c in shared["cases"]]

        if out_name == "rfc7520.json":
            add_cookbook_cases(cases, cookbook, findings)
        if out_name == "rfc8037.json":
            cross_check_ed25519(cases, cookbook, findings)

        check(len({c["id"] for c in cases}) == len(cases), f"{out_name}: duplicate case ids")
        for case in cases:
            fix_payload_flag(case, shared_name, findings)
            finish_case(case)
            extra_findings(case, findings)

        thumbprints = []
        for t in shared["thumbprint_cases"]:
            computed = jwk_thumbprint(t["jwk"])
            check(computed == t["expected_thumbprint_sha256"],
                  f"{t['id']}: thumbprint {computed} != {t['expected_thumbprint_sha256']}")
            thumbprints.append({"id": t["id"], "source": t["source"], "jwk": t["jwk"],
                                "sha256": t["expected_thumbprint_sha256"],
                                "notes": NOTE_FIXES.get(t["id"], t["notes"])})
            if "d" not in t["jwk"] and "private member d" in t["notes"]:
                findings.append(f"{shared_name} {t['id']}: notes say 'The private member d must be "
                                f"ignored' but the jwk has no d (note corrected in our copy)")

        doc = {"format": FORMAT, "title": shared["title"], "source": source,
               "notes": shared.get("scope", ""), "cases": cases, "thumbprints": thumbprints}
        write(OUT / "rfc" / out_name, file_json(doc))


def fix_payload_flag(case: dict, shared_name: str, findings: list[str]) -> None:
    """payload_is_json_object is a fact about the token; where the shared flag
    disagrees with the payload, the payload wins (and the finding is reported)."""
    token_payload = case["token"].split(".")[1]
    content = b64u_decode(case.get("detached_payload", token_payload))
    actual = is_json_object(content)
    if actual != case["payload_is_json_object"]:
        findings.append(f"{shared_name} {case['id']}: payload_json is "
                        f"{str(case['payload_is_json_object']).lower()} but the payload "
                        f"{content[:20]!r} is {'a' if actual else 'not a'} JSON object "
                        f"(set to {str(actual).lower()} in our copy)")
        case["payload_is_json_object"] = actual


def add_cookbook_cases(cases: list[dict], cookbook: Path, findings: list[str]) -> None:
    """Make sure RFC 7520 sections 4.1-4.5 are present and agree with the
    cookbook; attach the detached payload of 4.5."""
    by_id = {c["id"]: c for c in cases}
    for section, filename in COOKBOOK_COMPACT.items():
        book = read_json(cookbook / "jws" / filename)
        # The cookbook's own consistency: sig-input and sig form the compact output.
        p0, p1, p2 = book["output"]["compact"].split(".")
        payload_b64 = b64u(book["input"]["payload"].encode("utf-8"))
        check(book["signing"]["sig-input"] == f"{p0}.{payload_b64}" and p0 == book["signing"]["protected_b64u"]
              and p2 == book["signing"]["sig"], f"cookbook {filename}: parts disagree")
        check(p1 == ("" if section == "4.5" else payload_b64), f"cookbook {filename}: payload")

        cid = f"rfc7520-{section}"
        if cid not in by_id:
            case = cookbook_case(section, book)
            cases.append(case)
            by_id[cid] = case
            findings.append(f"rfc7520.json: {cid} missing from shared file, added from cookbook")
        case = by_id[cid]
        check(case["token"] == book["output"]["compact"], f"{cid}: token differs from cookbook")
        check(case["key"] == public_part(book["input"]["key"]), f"{cid}: key differs from cookbook")
        check(case["alg"] == book["input"]["alg"], f"{cid}: alg differs from cookbook")
        if "private_key" in case:
            check(case["private_key"] == book["input"]["key"], f"{cid}: private key differs")
        if section == "4.5":
            case["detached_payload"] = payload_b64
    cases.sort(key=lambda c: c["id"])


def cross_check_ed25519(cases: list[dict], cookbook: Path, findings: list[str]) -> None:
    book = read_json(cookbook / "curve25519" / "jws.json")
    case = next(c for c in cases if c["id"] == "rfc8037-A.4")
    check(case["token"] == book["output"]["compact"], "rfc8037-A.4: token differs from cookbook")
    ckey = {k: v for k, v in book["input"]["key"].items() if k != "use"}
    check(case["private_key"] == ckey, "rfc8037-A.4: key differs from cookbook")


def extra_findings(case: dict, findings: list[str]) -> None:
    """Record facts the shared notes assert, so a wrong claim shows up."""
    if case["id"] == "rfc7515-A.3":
        _, _, sig, _ = split_compact(case["token"])
        n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 order
        s = int.from_bytes(sig[32:], "big")
        if not s > n // 2:
            findings.append("rfc7515-A.3: notes claim high S, but S <= n/2")


def revalidate_rfc_files() -> None:
    """Without the shared input, re-check the committed RFC files instead."""
    for out_name in RFC_FILES:
        doc = read_json(OUT / "rfc" / out_name)
        for case in doc["cases"]:
            expected = {k: case[k] for k in ("reject_reason", "deterministic_signature")}
            finish_case(case)
            check(expected == {k: case[k] for k in expected}, f"{case['id']}: stale classification")
        for t in doc["thumbprints"]:
            check(jwk_thumbprint(t["jwk"]) == t["sha256"], f"{t['id']}: thumbprint mismatch")


# ---------------------------------------------------------------------------
# Output 2: generated keys
# ---------------------------------------------------------------------------

# name -> (kty, size): RSA modulus bits, EC curve, OKP curve, or oct octets
KEY_SPECS = {
    "rsa2048": ("RSA", 2048),   # RS*/PS* tokens
    "rsa3072": ("RSA", 3072),
    "rsa4096": ("RSA", 4096),
    "rsa1024": ("RSA", 1024),   # too small for RFC 7518: negative tests only
    "p256": ("EC", "P-256"),
    "p384": ("EC", "P-384"),
    "p521": ("EC", "P-521"),
    "ed25519": ("OKP", "Ed25519"),
    "hs256": ("oct", 32),
    "hs384": ("oct", 48),
    "hs512": ("oct", 64),
    "hs256-short": ("oct", 16),  # shorter than the SHA-256 output: weak, negative tests
}

CERT_KEYS = {"rsa2048", "p256"}  # keys that get a self-signed certificate
CERT_NOT_BEFORE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
CERT_NOT_AFTER = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
CERT_SUBJECT = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwtk test")])


def generate_private(kty: str, size) -> dict:
    """A fresh private key as a JWK (no kid yet)."""
    if kty == "RSA":
        return private_jwk_of(rsa.generate_private_key(public_exponent=65537, key_size=size))
    if kty == "EC":
        return private_jwk_of(ec.generate_private_key(CURVES[size][0]()))
    if kty == "OKP":
        return private_jwk_of(ed25519.Ed25519PrivateKey.generate())
    return {"kty": "oct", "k": b64u(secrets.token_bytes(size))}


def matches_spec(jwk: dict, kty: str, size) -> bool:
    if jwk.get("kty") != kty:
        return False
    if kty == "RSA":
        return b64u_to_int(jwk["n"]).bit_length() == size
    if kty in ("EC", "OKP"):
        return jwk.get("crv") == size
    return len(b64u_decode(jwk["k"])) == size


def load_or_generate(path: Path, kty: str, size, regenerate: bool, **members) -> dict:
    """Private JWK at `path`: read it if present (and matching), else generate.
    `members` (kid, use, alg) are set on the JWK either way."""
    if path.exists() and not regenerate:
        jwk = read_json(path)
        check(matches_spec(jwk, kty, size),
              f"{path}: does not match {kty} {size}; run with --regenerate-keys")
    else:
        jwk = generate_private(kty, size)
    jwk = {k: v for k, v in jwk.items() if k not in ("kid", "use", "alg")}
    jwk.update(members)
    if kty != "oct":
        # Round-trip through cryptography: re-derives every member, so a
        # hand-edited or differently encoded file is normalised (and checked).
        key = private_key_from_jwk(jwk)
        check(private_jwk_of(key, **members) == jwk, f"{path}: JWK is not canonical")
    check_jwk_shape(jwk, str(path))
    return jwk


def self_signed_cert(private_key) -> x509.Certificate:
    """Deterministic self-signed certificate: fixed names, validity and serial
    (derived from the public key), deterministic signature."""
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    serial = int.from_bytes(hashlib.sha256(public_der).digest()[:16], "big") >> 1 or 1
    builder = (
        x509.CertificateBuilder()
        .subject_name(CERT_SUBJECT)
        .issuer_name(CERT_SUBJECT)
        .public_key(private_key.public_key())
        .serial_number(serial)
        .not_valid_before(CERT_NOT_BEFORE)
        .not_valid_after(CERT_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()),
                       critical=False)
    )
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return builder.sign(private_key, hashes.SHA256(), ecdsa_deterministic=True)
    return builder.sign(private_key, hashes.SHA256())


def write_pem_der(directory: Path, name: str, private_key) -> None:
    public_key = private_key.public_key()
    write(directory / f"{name}.private.pem", private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    write(directory / f"{name}.public.pem", public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(directory / f"{name}.public.der", public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def build_keys(regenerate: bool) -> dict[str, dict]:
    """Write generated/keys/ and return name -> private JWK."""
    keys_dir = OUT / "generated" / "keys"
    result = {}
    for name, (kty, size) in KEY_SPECS.items():
        priv = load_or_generate(keys_dir / f"{name}.private.jwk.json", kty, size, regenerate,
                                kid=name)
        pub = public_part(priv)
        result[name] = priv
        write(keys_dir / f"{name}.private.jwk.json", file_json(priv))
        write(keys_dir / f"{name}.public.jwk.json", file_json(pub))
        if kty == "oct":
            continue

        key = private_key_from_jwk(priv)
        write_pem_der(keys_dir, name, key)
        # The PEM/DER files must load back to the same key.
        loaded = serialization.load_der_public_key((keys_dir / f"{name}.public.der").read_bytes())
        check(public_jwk_of(loaded, kid=name) == pub, f"{name}: public DER != JWK")
        loaded = serialization.load_pem_private_key(
            (keys_dir / f"{name}.private.pem").read_bytes(), password=None)
        check(private_jwk_of(loaded, kid=name) == priv, f"{name}: private PEM != JWK")

        if kty == "RSA" and name == "rsa2048":
            write(keys_dir / f"{name}.pkcs1.pem", key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))
        if name in CERT_KEYS:
            cert = self_signed_cert(key)
            der = cert.public_bytes(serialization.Encoding.DER)
            write(keys_dir / f"{name}.cert.pem", cert.public_bytes(serialization.Encoding.PEM))
            write(keys_dir / f"{name}.cert.der", der)
            check_cert(keys_dir / f"{name}.cert.der", pub)
            if name == "rsa2048":
                # x5c: standard (padded) base64 of the DER, RFC 7517 section 4.7.
                write(keys_dir / f"{name}.x5c.jwk.json",
                      file_json({**pub, "x5c": [base64.b64encode(der).decode("ascii")]}))
    return result


def check_cert(path: Path, pub: dict) -> None:
    cert = x509.load_der_x509_certificate(path.read_bytes())
    check(public_jwk_of(cert.public_key(), kid=pub["kid"]) == pub, f"{path}: wrong key")
    check(cert.not_valid_before_utc == CERT_NOT_BEFORE and cert.not_valid_after_utc == CERT_NOT_AFTER,
          f"{path}: validity")
    check(cert.subject == CERT_SUBJECT and cert.issuer == CERT_SUBJECT, f"{path}: names")
    cert.verify_directly_issued_by(cert)  # self-signature verifies


# ---------------------------------------------------------------------------
# Output 3: generated tokens and JWK Sets
# ---------------------------------------------------------------------------

TOKEN_KEYS = {  # alg -> key name in generated/keys/
    "HS256": "hs256", "HS384": "hs384", "HS512": "hs512",
    "RS256": "rsa2048", "RS384": "rsa2048", "RS512": "rsa2048",
    "PS256": "rsa2048", "PS384": "rsa2048", "PS512": "rsa2048",
    "ES256": "p256", "ES384": "p384", "ES512": "p521",
    "EdDSA": "ed25519",
}

JWKS_KEYS = ("rsa2048", "p256", "p384", "p521", "ed25519")

# OIDC-style id_token claims (member order is the order in the token).
OIDC_CLAIMS = {
    "iss": "https://auth.smarttask.example",
    "sub": "248289761001",
    "aud": "jwtk-demo-client",
    "exp": T_2100_01_01,
    "iat": T_2026_01_01,
    "nbf": T_2026_01_01,
    "auth_time": T_2026_01_01,
    "nonce": "n-0S6_WzA2Mj",
    "email": "jane.doe@example.com",
    "email_verified": True,
    "name": "Jane Doe",
    "jti": "4f1c2e7a-5b3d-4c8e-a6f0-2d4b8e1c7a35",
}


def reusable_token(previous: dict | None, alg: str, pub: dict, header: dict,
                   payload: bytes) -> str | None:
    """An earlier token with the same header and payload that still verifies
    (keeps randomised RSASSA-PSS signatures from churning between runs)."""
    if not previous:
        return None
    header_b, payload_b, signature, signing_input = split_compact(previous["token"])
    if header_b == header and payload_b == payload and \
            signing_input.split(b".")[0] == b64u(compact_json(header)).encode() and \
            verify(alg, pub, signing_input, signature):
        return previous["token"]
    return None


def build_tokens(keys: dict[str, dict]) -> None:
    gen = OUT / "generated"
    payload = compact_json(OIDC_CLAIMS)
    check(280 <= len(payload) <= 320, f"payload is {len(payload)} bytes, expected about 300")
    previous = {}
    if (gen / "tokens.json").exists():
        previous = {c["id"]: c for c in read_json(gen / "tokens.json").get("cases", [])}

    cases = []
    for alg, key_name in TOKEN_KEYS.items():
        priv = keys[key_name]
        pub = public_part(priv)
        header = {"alg": alg, "typ": "JWT", "kid": key_name}
        cid = f"{alg}-oidc"
        token = None
        if ALGS[alg][0] == "PSS":  # the only randomised scheme left
            token = reusable_token(previous.get(cid), alg, pub, header, payload)
        if token is None:
            token = make_token(alg, priv, header, payload)
        # Checks: verifies with the public key, fails with a flipped bit, and
        # a deterministic scheme reproduces the signature.
        h, p, sig, signing_input = split_compact(token)
        check(h == header and p == payload, f"{cid}: token content")
        check(verify(alg, pub, signing_input, sig), f"{cid}: does not verify")
        check(not verify(alg, pub, signing_input, bytes([sig[0] ^ 1]) + sig[1:]),
              f"{cid}: verifies with a corrupted signature")
        if ALGS[alg][0] != "PSS":
            check(sign(alg, priv, signing_input) == sig, f"{cid}: not reproducible")
        cases.append({"id": cid, "alg": alg, "key": key_name, "kid": key_name, "token": token,
                      "expect": "valid", "now": T_2026_01_01})
    write(gen / "tokens.json", file_json({"format": FORMAT, "keys_dir": "keys", "cases": cases}))

    jwks = {"keys": [{**public_part(keys[name]), "use": "sig"} for name in JWKS_KEYS]}
    write(gen / "jwks.json", file_json(jwks))


# jwks-25.json: kids k01..k25 in this order: 10 RSA-2048, 8 P-256, 4 P-384, 3 Ed25519
JWKS25_PLAN = ([("RSA", 2048, "RS256")] * 10 + [("EC", "P-256", "ES256")] * 8
               + [("EC", "P-384", "ES384")] * 4 + [("OKP", "Ed25519", "EdDSA")] * 3)


def build_jwks25(regenerate: bool) -> None:
    """A 25-key public JWK Set. Its private keys are thrown away, so the file
    itself is the only copy: it is kept as long as it matches the plan."""
    path = OUT / "generated" / "jwks-25.json"
    keys = None
    if path.exists() and not regenerate:
        keys = read_json(path)["keys"]
        check(len(keys) == len(JWKS25_PLAN), f"{path}: expected 25 keys; use --regenerate-keys")
    if keys is None:
        keys = []
        for i, (kty, size, alg) in enumerate(JWKS25_PLAN, start=1):
            keys.append({**public_part(generate_private(kty, size)),
                         "kid": f"k{i:02d}", "use": "sig", "alg": alg})
    for i, ((kty, size, alg), jwk) in enumerate(zip(JWKS25_PLAN, keys), start=1):
        where = f"jwks-25 k{i:02d}"
        check(jwk["kid"] == f"k{i:02d}" and jwk["use"] == "sig" and jwk["alg"] == alg,
              f"{where}: kid/use/alg")
        check(matches_spec(jwk, kty, size), f"{where}: key type")
        check(not any(m in jwk for m in PRIVATE_MEMBERS), f"{where}: private member present")
        check_jwk_shape(jwk, where)
        public_key_from_jwk(jwk)  # must load
    write(path, file_json({"keys": keys}))


# ---------------------------------------------------------------------------
# Output 4: the bundled demo
# ---------------------------------------------------------------------------

EXAMPLE_KEYS = {  # kid -> (kty, size, alg)
    "smarttask-2026-01": ("RSA", 2048, "RS256"),
    "smarttask-ec-2026": ("EC", "P-256", "ES256"),
}
EXAMPLE_KID = "smarttask-2026-01"
EXAMPLE_NOW = "2026-01-01T00:30:00Z"
EXAMPLE_CLAIMS = {
    "iss": "https://auth.smarttask.example",
    "sub": "248289761001",
    "aud": "jwtk-demo-client",
    "iat": T_2026_01_01,
    "exp": T_2026_01_01 + 3600,
    "auth_time": T_2026_01_01,
    "nonce": "n-0S6_WzA2Mj",
    "email": "jane.doe@example.com",
    "name": "Jane Doe",
}


def build_example(regenerate: bool) -> None:
    ex = OUT / "example"
    privates = {}
    for kid, (kty, size, alg) in EXAMPLE_KEYS.items():
        priv = load_or_generate(ex / "private" / f"{kid}.private.jwk.json", kty, size, regenerate,
                                kid=kid, use="sig", alg=alg)
        privates[kid] = priv
        write(ex / "private" / f"{kid}.private.jwk.json", file_json(priv))
        write(ex / "private" / f"{kid}.private.pem", private_key_from_jwk(priv).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    jwks = {"keys": [public_part(privates[kid]) for kid in EXAMPLE_KEYS]}
    write(ex / "jwks.json", file_json(jwks))

    header = {"alg": "RS256", "typ": "JWT", "kid": EXAMPLE_KID}
    token = make_token("RS256", privates[EXAMPLE_KID], header, compact_json(EXAMPLE_CLAIMS))
    # Check it the way a relying party would: find the key by kid in the JWKS,
    # verify, then check the time window at the documented instant.
    h, p, sig, signing_input = split_compact(token)
    jwk = next(k for k in jwks["keys"] if k["kid"] == h["kid"])
    check(jwk["alg"] == h["alg"] and verify(h["alg"], jwk, signing_input, sig), "example token")
    claims = json.loads(p)
    now = int(datetime.datetime.fromisoformat(EXAMPLE_NOW.replace("Z", "+00:00")).timestamp())
    check(claims["iat"] <= now < claims["exp"] and claims["exp"] - claims["iat"] == 3600,
          "example token time window")
    write(ex / "id_token.jwt", token + "\n")
    write(ex / "README.md", example_readme(token, claims))


def utc(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def example_readme(token: str, claims: dict) -> str:
    claim_lines = "\n".join(
        f"| `{k}` | `{json.dumps(v)}` | {utc(v) if k in ('iat', 'exp', 'auth_time') else ''} |"
        for k, v in claims.items())
    return f"""# Bundled demo

Generated by `dev/gen_vectors.py`; do not edit by hand.

| File | Content |
| --- | --- |
| `jwks.json` | JWK Set of the demo issuer: RSA-2048 key `smarttask-2026-01` (`alg` RS256) and P-256 key `smarttask-ec-2026` (`alg` ES256), both `use` sig |
| `id_token.jwt` | An OpenID Connect id_token signed with `smarttask-2026-01` (RS256), followed by one newline |
| `private/` | The private keys of both JWKs (`*.private.jwk.json`, PKCS#8 `*.private.pem`). Test keys only: never use them for anything real |

Token header: `{{"alg":"RS256","typ":"JWT","kid":"smarttask-2026-01"}}`

| Claim | Value | |
| --- | --- | --- |
{claim_lines}

The token is valid from {utc(claims["iat"])} (`iat`) until {utc(claims["exp"])} (`exp`, one
hour later; no `nbf`). Verify it at a fixed instant inside that window, **{EXAMPLE_NOW}**
(Unix time {T_2026_01_01 + 1800}), by passing `--now {EXAMPLE_NOW}`, with the keys from
`jwks.json`, issuer `https://auth.smarttask.example` and audience `jwtk-demo-client` (nonce
`n-0S6_WzA2Mj` where the nonce is checked). Without `--now` the current time is used and the
token is rejected as expired; so is any instant from `exp` on (e.g. `--now 2026-01-01T01:00:00Z`).
"""


# ---------------------------------------------------------------------------
# testvectors/README.md
# ---------------------------------------------------------------------------

def top_readme() -> str:
    token_table = "\n".join(f"| {alg} | `{name}` |" for alg, name in TOKEN_KEYS.items())
    key_table = "\n".join(
        f"| `{name}` | {kty} {size}{' bits' if kty == 'RSA' else (' octets' if kty == 'oct' else '')} |"
        for name, (kty, size) in KEY_SPECS.items())
    return f"""# jwtk test vectors

Data files for jwtk's tests. Everything in this folder is written by
`dev/gen_vectors.py` (see "Regenerating"); do not edit the files by hand.

Conventions: JSON files have sorted keys and 2-space indentation; base64url values are
unpadded (RFC 7515 section 2); JWK integers have no leading zero octet and EC members
(`x`, `y`, `d`) have exactly the curve size (32/48/66 octets); `x5c` uses standard, padded
base64 (RFC 7517 section 4.7). Times are Unix seconds, UTC.

## Folders

| Path | What |
| --- | --- |
| `rfc/` | Published RFC examples (RFC 7515, 7519, 7520, 7638, 8037) in the `{FORMAT}` format |
| `generated/keys/` | Test keys for every JWS algorithm family (JWK, PEM, DER, certificates) |
| `generated/tokens.json` | One OIDC id_token per JWS algorithm, signed with `generated/keys/` |
| `generated/jwks.json` | JWK Set with the public asymmetric keys the tokens verify against |
| `generated/jwks-25.json` | JWK Set of 25 unrelated public keys (`k01`..`k25`) for key-lookup tests |
| `example/` | The bundled demo (JWKS, an RS256 id_token, private keys); see `example/README.md` |

## Format `{FORMAT}`: `rfc/*.json`

```
{{ "format": "{FORMAT}", "title": ..., "source": "RFC 7515", "notes": ...,
  "cases": [ {{ "id", "source", "alg", "token", "key", "expect", "reject_reason",
               "payload_is_json_object", "deterministic_signature", "notes",
               "private_key" (optional), "detached_payload" (optional) }} ],
  "thumbprints": [ {{ "id", "source", "jwk", "sha256", "notes" }} ] }}
```

- `token`: compact JWS exactly as published. `key`: the verification JWK (public part; the
  oct key for HMAC; `null` for unsecured examples). `alg`: the algorithm the verifier is
  configured for (it may disagree with the key, see `wrong-key`).
- `expect`: `valid` or `invalid`, the result of compact JWS verification with `key` and `alg`.
  The file-level `notes` say what is out of scope: the RFC 7515/7519 payloads carry
  `exp` 1300819380 (2011-03-22), so run them with claim checks off (or a clock before then).
- `reject_reason` (`null` for valid cases) says why an invalid case fails:
  `unsecured` (alg `none`), `crit` (a `crit` header naming an extension the verifier does not
  understand, RFC 7515 Appendix E; that token is also alg `none`), `detached` (empty payload
  segment: the signature covers content sent separately), `wrong-key` (the key does not fit
  `alg`: key type or curve), `signature` (the signature does not verify: tampered token),
  `other` (none of these; not used at present).
- `payload_is_json_object`: whether the payload is a JSON object, i.e. usable as JWT claims.
- `deterministic_signature`: `true` when signing the token's signing input with the case's
  signing key (`private_key`, or `key` itself for HS*) reproduces the signature byte for byte:
  valid HS*, RS* (RSASSA-PKCS1-v1_5) and EdDSA cases. `false` for ES* and PS* (random nonce or
  salt: only verification is reproducible), for cases without a signing key, and for invalid
  cases.
- `private_key`: the full JWK from the RFC, where the RFC gives one.
- `detached_payload`: for the RFC 7520 section 4.5 case only, the base64url payload that the
  detached signature covers (with it, the signature verifies).
- `thumbprints[].sha256`: BASE64URL(SHA-256(RFC 7638 canonical JSON of `jwk`)); optional
  and private members of `jwk` (`alg`, `kid`, `d`) must not enter the computation.

## `generated/`

`keys/` holds, for every name below:

- `<name>.private.jwk.json`: full JWK, `kid` = `<name>`, no `alg`;
- `<name>.public.jwk.json`: public JWK, `kid` = `<name>` (for oct keys identical to the private one);
- asymmetric keys also: `<name>.private.pem` (PKCS#8), `<name>.public.pem` and
  `<name>.public.der` (SubjectPublicKeyInfo, PEM and binary DER);
- `rsa2048` also: `rsa2048.pkcs1.pem` (PKCS#1 `RSA PUBLIC KEY`), a self-signed certificate
  `rsa2048.cert.pem` / `rsa2048.cert.der` and `rsa2048.x5c.jwk.json` (public JWK + `x5c`);
- `p256` also: `p256.cert.pem` / `p256.cert.der`.

The certificates have subject and issuer `CN=jwtk test`, validity 2025-01-01T00:00:00Z to
2099-01-01T00:00:00Z, a serial derived from the public key, and are self-signed with SHA-256.

| Key | Type |
| --- | --- |
{key_table}

`rsa1024` (below the 2048-bit minimum of RFC 7518 section 3.3) and `hs256-short` (shorter than
the SHA-256 output, RFC 7518 section 3.2) are deliberately weak: for negative tests only.

`tokens.json`:

```
{{ "format": "{FORMAT}", "keys_dir": "keys",
  "cases": [ {{ "id": "<alg>-oidc", "alg", "key": "<key name in keys/>", "kid", "token",
               "expect": "valid", "now": {T_2026_01_01} }} ] }}
```

Each token has the header `{{"alg":"<alg>","typ":"JWT","kid":"<key name>"}}` (compact, in that
order) and the same compact OIDC id_token payload (~300 bytes):

```
{compact_json(OIDC_CLAIMS).decode()}
```

`now` is {utc(T_2026_01_01)}; `exp` is {utc(T_2100_01_01)}. ECDSA signatures are raw R||S
(RFC 7518 section 3.4) made with RFC 6979 deterministic nonces; RSASSA-PSS uses MGF1 with the
same hash and a salt as long as the hash (RFC 7518 section 3.5).

| alg | key |
| --- | --- |
{token_table}

`jwks.json` contains the public JWKs of {", ".join(f"`{k}`" for k in JWKS_KEYS)} with
`kid` = key name and `use` `sig` (no `alg`); the HMAC keys are not in it. `jwks-25.json`
contains 25 public keys, `kid` `k01`..`k25`, `use` `sig`, `alg` set: k01-k10 RSA-2048 (RS256),
k11-k18 P-256 (ES256), k19-k22 P-384 (ES384), k23-k25 Ed25519 (EdDSA). Its private keys were
discarded.

## Where the values come from

| Files | Source | Licence |
| --- | --- | --- |
| `rfc/rfc7515.json` | RFC 7515 Appendix A.1-A.5 and E; derived negatives (ids ending `-tampered-...`, `-wrong-key`) | RFC text: IETF Trust (BCP 78, Trust Legal Provisions) |
| `rfc/rfc7519.json` | RFC 7519 sections 3.1 and 6.1 | IETF Trust |
| `rfc/rfc7520.json` | RFC 7520 sections 4.1-4.5, cross-checked against the machine-readable `ietf-jose/cookbook` (commit `13692b68bfc18b99557a5b1ed311fd5077bfff04`, `jws/4_*.json`) | IETF Trust; cookbook files: Unlicense |
| `rfc/rfc7638.json` | RFC 7638 section 3.1 (key from RFC 7517 Appendix A.1); ids starting `computed-` are thumbprints we computed for RFC 7515 keys (not published in an RFC) | IETF Trust |
| `rfc/rfc8037.json` | RFC 8037 Appendix A.1-A.5 (cross-checked against the cookbook `curve25519/jws.json`); one derived negative | IETF Trust; cookbook: Unlicense |
| `generated/`, `example/` | Generated by `dev/gen_vectors.py` with Python `cryptography` | Same as this repository |

The RFC cases were collected in a shared `jose-examples/1` set and converted here without
changing any token, key, thumbprint or expected result. Two corrections against that set:
`rfc7515-E` has `payload_is_json_object` `false` (its payload is the text `FAIL`; the shared
flag said JSON), and the note of thumbprint `computed-rfc7515-A.3-ec-p256` no longer mentions a
private member `d` that its jwk does not have.

## Regenerating

```
python3 dev/gen_vectors.py                    # keys kept, everything else rebuilt and checked
python3 dev/gen_vectors.py --regenerate-keys  # new keys, tokens, jwks-25 and demo
```

Needs Python 3.11 and the `cryptography` package. `--shared DIR` (or `JWTK_SHARED_VECTORS`)
points at the shared vector set (default `../shared/testvectors` beside the repository); without it the RFC
files in `rfc/` are re-checked instead of rebuilt.

The script verifies every case before writing: valid cases must verify with their key and
invalid ones must be rejected for the stated reason; deterministic signatures are re-created
from the private key; thumbprints are recomputed; key files (JWK, PEM, DER, certificates) are
loaded back and compared. Keys are generated only when missing, signatures are deterministic
where the algorithm allows, RSASSA-PSS tokens are kept while they still verify, and unchanged
files are not rewritten, so a re-run leaves the tree untouched.
"""


# ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="shared vector set with rfc/ and rfc7520-cookbook/ "
                             "(default: %(default)s)")
    parser.add_argument("--regenerate-keys", action="store_true",
                        help="generate new keys even where key files exist")
    args = parser.parse_args()

    findings: list[str] = []
    try:
        if (args.shared / "rfc").is_dir():
            build_rfc_files(args.shared, findings)
        else:
            print(f"note: {args.shared}/rfc not found; re-checking existing testvectors/rfc/")
            revalidate_rfc_files()
        keys = build_keys(args.regenerate_keys)
        build_tokens(keys)
        build_jwks25(args.regenerate_keys)
        build_example(args.regenerate_keys)
        write(OUT / "README.md", top_readme())
    except VectorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    for status, path in WRITTEN:
        print(f"{status:9} {path}")
    changed = sum(1 for s, _ in WRITTEN if s != "unchanged")
    print(f"{len(WRITTEN)} files checked, {changed} written")
    for finding in findings:
        print(f"finding: {finding}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
