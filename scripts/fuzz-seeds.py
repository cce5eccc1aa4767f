#!/usr/bin/env python3
"""Builds the libFuzzer seed corpora for the targets in Fuzz/ from testvectors/.

Usage: python3 scripts/fuzz-seeds.py OUTDIR

Writes OUTDIR/<Target>/<name> files (OUTDIR is wiped first) and prints how many seeds each target got.
The minimised inputs under testvectors/fuzz-regressions/<Target>/ are added to their target's seeds, so
every past finding is re-run first by each fuzzing session. Standard library only.
"""
import base64
import hashlib
import json
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "testvectors"
TARGETS = ["FuzzVerify", "FuzzInspect", "FuzzJWK", "FuzzKeyImport", "FuzzBase64URL", "FuzzClaims", "FuzzSignVerify",
           "FuzzRemoteDocuments"]
# Must match the order of FuzzKeys.signers in Fuzz/Sources/FuzzSupport/FuzzSupport.swift.
SIGNER_COUNT = 14
# Must match FuzzClaims' headerTypes: index 1 is "JWT".
CLAIMS_TYPE_JWT = 1


def b64url_decode(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def rfc_cases():
    for path in sorted((VECTORS / "rfc").glob("*.json")):
        data = json.loads(path.read_text())
        for case in data.get("cases", []):
            yield path.stem, case
        for thumbprint in data.get("thumbprints", []):
            yield path.stem, {"id": "thumbprint-" + thumbprint["id"], "key": thumbprint["jwk"]}


def tokens():
    """(name, compact token) for every token in the vectors."""
    generated = json.loads((VECTORS / "generated" / "tokens.json").read_text())
    for case in generated["cases"]:
        yield "generated-" + case["id"], case["token"]
    yield "example-id_token", (VECTORS / "example" / "id_token.jwt").read_text().strip()
    for stem, case in rfc_cases():
        if case.get("token"):
            yield stem + "-" + case["id"], case["token"]


def jwk_documents():
    """(name, bytes) for JWKs and JWK Sets."""
    for path in sorted((VECTORS / "generated" / "keys").glob("*.jwk.json")):
        yield path.name, path.read_bytes()
    for path in [VECTORS / "generated" / "jwks.json", VECTORS / "generated" / "jwks-25.json", VECTORS / "example" / "jwks.json"]:
        yield path.parent.name + "-" + path.name, path.read_bytes()
    for path in sorted((VECTORS / "example" / "private").glob("*.jwk.json")):
        yield "example-" + path.name, path.read_bytes()
    for stem, case in rfc_cases():
        for member in ("key", "private_key"):
            if isinstance(case.get(member), dict):
                yield f"{stem}-{case['id']}-{member}", json.dumps(case[member]).encode()


def key_files():
    """(name, bytes) for PEM and DER files, public and private, keys and certificates."""
    for pattern in ("*.pem", "*.der"):
        for path in sorted((VECTORS / "generated" / "keys").glob(pattern)):
            yield path.name, path.read_bytes()
    for path in sorted((VECTORS / "example" / "private").glob("*.pem")):
        yield "example-" + path.name, path.read_bytes()
    # Binary DER of the private keys (PKCS#8) and of the PKCS#1 public key, which the vectors only have as PEM.
    for path in sorted((VECTORS / "generated" / "keys").glob("*.pem")):
        if path.name.endswith(".private.pem") or path.name.endswith(".pkcs1.pem"):
            yield path.name[: -len(".pem")] + ".der", pem_body(path.read_text())


def pem_body(text):
    lines = [line.strip() for line in text.splitlines()]
    body = [line for line in lines if line and not line.startswith("-----")]
    return base64.b64decode("".join(body))


def seeds():
    out = {target: {} for target in TARGETS}
    for name, token in tokens():
        out["FuzzVerify"][name] = token.encode()
        out["FuzzInspect"][name] = token.encode()
        segments = token.split(".")
        for index, segment in enumerate(segments):
            if segment:
                out["FuzzBase64URL"][f"{name}-{index}"] = segment.encode()
        if len(segments) == 3:
            try:
                payload = b64url_decode(segments[1])
            except ValueError:
                continue
            if payload.lstrip().startswith(b"{"):
                # Policy choice 0 and typ "JWT", then the claims.
                out["FuzzClaims"][name] = bytes([0, CLAIMS_TYPE_JWT]) + payload
    # Claims that pass FuzzClaims' policies, so the fuzzer starts from accepted tokens and mutates towards each rule.
    passing = b'{"iss":"https://issuer.example","aud":"api","sub":"alice","exp":4102444800,"iat":1767227000,"nbf":1767225600}'
    several = b'{"iss":"https://issuer.example","aud":["api","other-api"],"azp":"api","sub":"alice","exp":4102444800,"iat":1767227000}'
    for choice in range(32):
        out["FuzzClaims"][f"passing-{choice}"] = bytes([choice, CLAIMS_TYPE_JWT]) + passing
    out["FuzzClaims"]["several-audiences"] = bytes([16, CLAIMS_TYPE_JWT]) + several
    out["FuzzClaims"]["not-an-object"] = bytes([0, 0]) + b'["iss"]'
    # A five-segment (JWE-shaped) token for the inspector's JWE path.
    out["FuzzInspect"]["jwe-shaped"] = b"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA"
    for name, data in jwk_documents():
        out["FuzzJWK"][name] = data
    for name, data in key_files():
        out["FuzzKeyImport"][name] = data
    for name, data in list(jwk_documents())[:6]:
        out["FuzzKeyImport"][name] = data
    for index in range(SIGNER_COUNT):
        # signer, bit position (little endian), JWT/JWS mode, content.
        out["FuzzSignVerify"][f"signer-{index}-jwt"] = bytes([index, index * 37 % 256, 1, 0]) + b"248289761001"
        out["FuzzSignVerify"][f"signer-{index}-jws"] = bytes([index, 200, 0, 1]) + b'{"payload":"any bytes"}'
    # Remote documents: a discovery document for FuzzRemoteDocuments' expected issuer, its lenient-parser
    # traps (duplicate issuer, NaN, NUL), a userinfo response, and the JWK Sets.
    discovery = (b'{"issuer":"https://issuer.example","jwks_uri":"https://issuer.example/jwks",'
                 b'"id_token_signing_alg_values_supported":["RS256","ES256"],"response_types_supported":["code"],'
                 b'"subject_types_supported":["public"],"userinfo_endpoint":"https://issuer.example/userinfo"}')
    out["FuzzRemoteDocuments"]["discovery"] = discovery
    out["FuzzRemoteDocuments"]["discovery-duplicate-issuer"] = b'{"issuer":"https://evil.example",' + discovery[1:]
    out["FuzzRemoteDocuments"]["discovery-nan"] = b'{"x":NaN,' + discovery[1:]
    out["FuzzRemoteDocuments"]["discovery-nul"] = b'{"x":"a\\u0000",' + discovery[1:]
    out["FuzzRemoteDocuments"]["userinfo"] = b'{"sub":"user-1","name":"Ada","email_verified":true}'
    out["FuzzRemoteDocuments"]["userinfo-duplicate-sub"] = b'{"sub":"user-2","sub":"user-1"}'
    for name, data in jwk_documents():
        out["FuzzRemoteDocuments"][name] = data
    regressions = VECTORS / "fuzz-regressions"
    for target in TARGETS:
        folder = regressions / target
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    out[target]["regression-" + path.name] = path.read_bytes()
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = pathlib.Path(sys.argv[1])
    shutil.rmtree(outdir, ignore_errors=True)
    for target, files in seeds().items():
        folder = outdir / target
        folder.mkdir(parents=True)
        seen = set()
        for name, data in files.items():
            digest = hashlib.sha1(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
            (folder / safe).write_bytes(data)
        print(f"seeds: {target}: {len(seen)} files in {folder}")


if __name__ == "__main__":
    main()
