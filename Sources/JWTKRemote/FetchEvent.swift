import Foundation
import JWTK

/// One completed fetch of a remote document by ``RemoteJWKS`` or ``OIDCDiscovery``: which document, why it was
/// fetched, whether it was conditional, the HTTP response and what the cache did with it.
///
/// Events are delivered to ``FetchObserver``s set in ``RemoteJWKS/Configuration/fetchObserver`` and
/// ``OIDCDiscovery/Configuration/fetchObserver`` (``FetchLog`` is a ready-made one). They are delivered after
/// the cache has recorded the outcome, outside its lock, on the task that ran the fetch. The request's
/// headers are not part of an event.
public struct FetchEvent: Sendable {
    /// The kind of document fetched.
    public enum Document: String, Sendable, Hashable, CaseIterable {
        /// A JWK Set (``RemoteJWKS``).
        case jwkSet = "jwk_set"
        /// An OpenID Provider's discovery document (``OIDCDiscovery``).
        case discovery
    }

    /// Why the fetch was started.
    public enum Trigger: String, Sendable, Hashable, CaseIterable {
        /// Nothing was held yet.
        case initial
        /// The document held had passed its freshness lifetime and a caller waited for a new one.
        case expired
        /// A synchronous caller found the document expired and a refresh was started in the background.
        case background
        /// A token named a `kid` the JWK Set does not hold.
        case unknownKey = "unknown_key"
        /// `refresh()` was called.
        case requested
    }

    /// What the cache did with the answer.
    public enum Outcome: Sendable, Hashable {
        /// A new document was installed.
        case updated
        /// The server answered `304 Not Modified`; the document held was kept and its freshness extended.
        case notModified
        /// The fetch failed; the document held (if any) was kept.
        case failed(JWTKRemoteError)
    }

    /// The kind of document.
    public let document: Document
    /// The URL the cache fetches (as configured; a same-origin redirect's target is in ``response``).
    public let url: URL
    /// The cache's number for this fetch, increasing from 1.
    public let fetchID: Int
    /// Why it was started.
    public let trigger: Trigger
    /// Whether `If-None-Match` or `If-Modified-Since` was sent.
    public let conditional: Bool
    /// When the fetch started, in the cache's clock's seconds.
    public let startedAt: Double
    /// When the fetch ended and its outcome was recorded, in the cache's clock's seconds.
    public let finishedAt: Double
    /// The HTTP response, when one was received (also for a `304`, an error status or a body that was then
    /// refused); nil when the transport failed or the answer was refused before it was handed over (another
    /// origin, over the size cap).
    public let response: HTTPFetchResponse?
    /// What the cache did.
    public let outcome: Outcome

    /// The failure, for a ``Outcome/failed(_:)`` outcome.
    public var error: JWTKRemoteError? {
        if case .failed(let error) = outcome { return error }
        return nil
    }
}

/// Receives every ``FetchEvent`` of a cache. It runs on the fetching task: keep it short and non-blocking.
public typealias FetchObserver = @Sendable (FetchEvent) -> Void

/// A bounded, thread-safe record of the latest ``FetchEvent``s, for reports and health endpoints.
///
/// ```swift
/// let log = FetchLog()
/// var configuration = RemoteJWKS.Configuration()
/// configuration.fetchObserver = log.observer
/// let jwks = try RemoteJWKS(url: url, configuration: configuration)
/// try await jwks.refresh()
/// print(log.lastResponse(for: url)?.header("cache-control") ?? "-")
/// ```
///
/// Each event holds its response body (at most the cache's `maxResponseBytes`), so the log keeps only the
/// last ``capacity`` events.
public final class FetchLog: Sendable {
    /// The most events kept; older ones are dropped first. Default 16.
    public let capacity: Int
    private let stored = Locked([FetchEvent]())

    /// Creates an empty log keeping at most `capacity` events (a negative capacity keeps none).
    public init(capacity: Int = 16) { self.capacity = max(0, capacity) }

    /// An observer that records into this log, for a configuration's `fetchObserver`.
    public var observer: FetchObserver { { [self] event in record(event) } }

    /// Appends `event`, dropping the oldest events beyond ``capacity``.
    public func record(_ event: FetchEvent) {
        stored.withLock { events in
            events.append(event)
            if events.count > capacity { events.removeFirst(events.count - capacity) }
        }
    }

    /// The events kept, oldest first.
    public var events: [FetchEvent] { stored.withLock { $0 } }

    /// The response of the latest kept fetch of `url` that received one, or nil.
    public func lastResponse(for url: URL) -> HTTPFetchResponse? {
        let key = url.absoluteString
        return stored.withLock { events in events.last { $0.url.absoluteString == key && $0.response != nil }?.response }
    }
}
