import JWTK

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The calling thread's last few routing decisions of routers that have a token cache: which configured issuer
/// a token's exact bytes were routed to.
///
/// Routing is a pure function of the token's bytes and the router's configuration (its verifiers and limits
/// are constants, and a router's ``IssuerRouter/identity`` names that configuration), so a remembered answer is
/// the one ``IssuerRouter/route(_:)`` would give again: it only saves the unverified decode and parse of the
/// header and payload. Only tokens that were routed are remembered; a token that could not be routed is
/// refused afresh every time. The token is still verified in full, or answered by the token cache under the
/// issuer's own verifier, and the verified `iss` is checked against the routed issuer, on every request.
///
/// Bounded: ``slotCount`` entries per thread, replaced round robin, each a token (at most the router's token
/// size limit) and an issuer string; no key, verifier or claim is held. No lock: each thread has its own.
final class RouteMemo {
    static let slotCount = 4

    private struct Slot {
        let router: UInt64
        let token: String
        let issuer: String
    }

    private var slots: [Slot?] = Array(repeating: nil, count: RouteMemo.slotCount)
    private var next = 0
    /// Lookups this thread answered from a slot (tests: proof that the memo was used).
    private(set) var hits = 0

    private static let perThread = PerThread { RouteMemo() }

    /// The calling thread's memo.
    static func current() -> RouteMemo { perThread.current }

    /// The issuer `router` routed exactly these token bytes to, if this thread remembers it.
    func issuer(of token: String, router: UInt64) -> String? {
        for slot in slots {
            guard let slot, slot.router == router, Self.sameBytes(slot.token, token) else { continue }
            hits &+= 1
            return slot.issuer
        }
        return nil
    }

    /// Remembers that `router` routed `token` to `issuer`.
    func remember(_ token: String, issuer: String, router: UInt64) {
        slots[next] = Slot(router: router, token: token, issuer: issuer)
        next = (next + 1) % Self.slotCount
    }

    /// Byte-for-byte equality (String's `==` is Unicode canonical equivalence: "\u{212A}" equals "K").
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let fast = unsafe a.utf8.withContiguousStorageIfAvailable { x in
            unsafe b.utf8.withContiguousStorageIfAvailable { y in
                unsafe x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
            }
        }
        if let fast, let result = fast { return result }
        return a.utf8.elementsEqual(b.utf8)
    }
}
