import BenchFixtures
import Benchmark
import Foundation
import JWTK

// jwtk's benchmarks. CI gates only on allocations (`mallocCountTotal`, committed thresholds under
// Thresholds/); wall-clock time is reported, never gated (this class of VM swings ±20-45 %).
// Names have no spaces or parentheses: package-benchmark's threshold check reads the raw name.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        maxDuration: .seconds(1),
        maxIterations: 200_000,
        thresholds: [
            .wallClock: .none,
            .mallocCountTotal: .init(absolute: [.p90: 3]),
        ]
    )

    // MARK: full verification, one cached keyring per algorithm (signature, then iss/aud/exp/nbf/iat)

    for alg in ["HS256", "RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"] {
        guard let tokenCase = BenchFixtures.tokens[alg] else { fatalError("tokens.json has no \(alg) token") }
        let verifier = BenchFixtures.verifier(for: tokenCase)
        let token = tokenCase.token
        guard (try? verifier.verify(token)) != nil else { fatalError("the \(alg) benchmark token does not verify") }
        Benchmark("verify_\(alg)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try verifier.verify(token))
            }
        }
    }

    // MARK: decode only (no verification): split, base64url, both JSON documents

    let rs256 = BenchFixtures.tokens["RS256"]!.token
    Benchmark("decode_only_RS256") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try UnverifiedJWT.decode(rs256))
        }
    }

    // MARK: claims validation: the same HS256 token, signature only vs the full OpenID Connect policy

    let hs = BenchFixtures.tokens["HS256"]!
    let hsKey = try! VerificationKey(jwk: BenchFixtures.publicJWK(hs.keyName))
    let signatureOnly = JWTVerifier(keys: [hsKey])
    var oidc = VerificationPolicy.openIDConnect(
        issuer: BenchFixtures.issuer, clientID: BenchFixtures.audience, nonce: "n-0S6_WzA2Mj", maxAuthenticationAge: 4_102_444_800)
    oidc.algorithms = [.HS256]
    let oidcVerifier = JWTVerifier(keys: [hsKey], policy: oidc)
    guard (try? oidcVerifier.verify(hs.token)) != nil else { fatalError("the OIDC policy rejects the HS256 token") }
    Benchmark("signature_only_HS256") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try signatureOnly.verifySignature(hs.token))
        }
    }
    Benchmark("claims_validation_OIDC_HS256") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try oidcVerifier.verify(hs.token))
        }
    }

    // MARK: key import

    for (name, file) in [("RSA2048", "rsa2048"), ("P256", "p256"), ("Ed25519", "ed25519")] {
        let jwk = BenchFixtures.publicJWK(file)
        Benchmark("jwk_import_\(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try VerificationKey(jwk: jwk))
            }
        }
    }
    let jwks25 = BenchFixtures.text("generated/jwks-25.json")
    guard let set25 = try? JWKSet(json: jwks25), set25.keys.count == 25 else { fatalError("jwks-25.json does not hold 25 usable keys") }
    Benchmark("jwks_import_25keys") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JWKSet(json: jwks25))
        }
    }

    // MARK: keyring lookup: 25 keys plus the token's key

    let rsKey = try! VerificationKey(jwk: BenchFixtures.publicJWK("rsa2048"))
    let ring26 = Keyring(keys: set25.keys + [rsKey])
    Benchmark("keyring_lookup_26keys") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ring26.containsKey(withID: "k13"))
            blackHole(ring26.containsKey(withID: "rsa2048"))
        }
    }
    var rsPolicy = VerificationPolicy(issuer: BenchFixtures.issuer, audience: BenchFixtures.audience)
    rsPolicy.algorithms = [.RS256]
    let ringVerifier = JWTVerifier(keyring: ring26, policy: rsPolicy)
    Benchmark("verify_RS256_keyring26") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ringVerifier.verify(rs256))
        }
    }

    // MARK: base64url: decoding a token whose 4 KiB payload is not JSON (base64url dominates)

    let blob = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let blobToken = try! JWTSigner(key: try SigningKey(jwk: BenchFixtures.text("generated/keys/hs256.private.jwk.json")), algorithm: .HS256)
        .sign(payload: blob)
    Benchmark("base64url_decode_4KiB") { benchmark in
        for _ in benchmark.scaledIterations {
            let decoded = try UnverifiedJWT.decode(blobToken)
            precondition(decoded.payload.count == 4096)
            blackHole(decoded)
        }
    }

    // MARK: every published RFC example that verifies, in a loop (one iteration = all of them)

    let rfc = BenchFixtures.rfcValidCases()
    for c in rfc {
        guard (try? c.verifier.verifySignature(c.token)) != nil else { fatalError("RFC example \(c.id) does not verify") }
    }
    Benchmark("rfc_vectors_all") { benchmark in
        for _ in benchmark.scaledIterations {
            for c in rfc { blackHole(try c.verifier.verifySignature(c.token)) }
        }
    }
}
