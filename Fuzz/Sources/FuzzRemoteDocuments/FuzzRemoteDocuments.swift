import Foundation
// Fuzz target: remote documents through the strict parser, as JWTKRemote reads them: an OpenID Connect
// discovery document (`OIDCProviderMetadata(json:expectedIssuer:)`), a userinfo response (`UserInfo(json:)`) and
// a JWK Set (`JWKSet(bytes:)`), from the same bytes.
//
// Properties:
// - a document either parsed strictly (`JSONValue.parse(bytes:)`) or it is refused everywhere: no remote
//   reader accepts bytes the strict parser refuses;
// - a parsed object never holds a member name twice;
// - accepted discovery metadata states exactly the expected issuer and a `jwks_uri` the URL policy accepts,
//   and keeps the bytes it was given; an accepted userinfo `sub` is the document's string `sub`.
import FuzzSupport
import JWTK
import JWTKRemote

private let issuer = "https://issuer.example"
private let limits = JWKSet.Limits(maxBytes: 64 * 1024, maxKeys: 8, maxDepth: 16)

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRemoteDocuments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let parsed = try? JSONValue.parse(bytes: bytes)
    if let members = parsed?.members {
        var names = Set<String>()
        for (name, _) in members where !names.insert(name).inserted {
            propertyFailure("the strict parser kept the member \(JSONText.quote(name)) twice")
        }
    }

    do throws(JWTKRemoteError) {
        let metadata = try OIDCProviderMetadata(json: bytes, expectedIssuer: issuer)
        guard parsed?.kind == .object else { propertyFailure("discovery accepted bytes the strict parser refuses") }
        guard metadata.issuer == issuer, metadata.document["issuer"]?.string == issuer else {
            propertyFailure("discovery accepted the issuer \(JSONText.quote(metadata.issuer))")
        }
        guard metadata.rawJSON == bytes else { propertyFailure("discovery changed the document's bytes") }
        do throws(JWTKRemoteError) { try RemoteURLPolicy.check(metadata.jwksURI) } catch {
            propertyFailure("discovery accepted a jwks_uri the URL policy refuses: \(metadata.jwksURI.absoluteString)")
        }
        _ = try? metadata.idTokenAlgorithms(allowedBy: [.RS256, .ES256, .EdDSA])
    } catch {
        guard error.code == .invalidDocument || error.code == .issuerMismatch || error.code == .insecureURL else {
            propertyFailure("discovery failed with the unexpected code \(error.code)")
        }
    }

    if let info = try? UserInfo(json: bytes) {
        guard parsed?.kind == .object else { propertyFailure("userinfo accepted bytes the strict parser refuses") }
        guard parsed?["sub"]?.string == info.subject else { propertyFailure("userinfo sub differs from the document's") }
        _ = info.claimNames
    }

    if let set = try? JWKSet(bytes: bytes, limits: limits) {
        guard parsed != nil else {
            propertyFailure("a JWK Set was accepted from bytes the strict parser refuses")
        }
        _ = set.skipped.map(\.description)
    }
    return 0
}
