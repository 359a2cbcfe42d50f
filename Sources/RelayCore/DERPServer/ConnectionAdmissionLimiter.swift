import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Limits on accepted TCP connections, shared by every listener of a server:
/// a token bucket on the accept rate (`-accept-connection-limit`/`-accept-connection-burst`,
/// as the reference) and a cap on concurrent connections (`-max-connections`, ours).
/// Over-limit connections are accepted and closed at once, before TLS, and counted.
package final class ConnectionAdmissionLimiter: Sendable {
    package struct Limits: Sendable {
        /// Accepts per second; nil = unlimited (the reference's +Inf default).
        package var acceptRate: Double?
        package var acceptBurst: Int
        /// Concurrent connections; nil = unlimited.
        package var maxConnections: Int?
        package init(acceptRate: Double? = nil, acceptBurst: Int = Int.max, maxConnections: Int? = nil) {
            self.acceptRate = acceptRate
            self.acceptBurst = acceptBurst
            self.maxConnections = maxConnections
        }
        package var isUnlimited: Bool { acceptRate == nil && maxConnections == nil }
    }

    package enum Decision: Equatable { case accept, rejectRate, rejectCapacity }

    private struct State {
        var bucket: TokenBucket?
        var open = 0
        var lastCapacityLog: UInt64 = 0
    }

    package let limits: Limits
    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let accepted = Counter(label: "tls_listener_accepted_connections")
    private let rejected = Counter(label: "tls_listener_rejected_connections")
    private let rejectedCapacity = Counter(label: "derp_connection_limit_rejections")

    package init(limits: Limits, logger: Logger, now: UInt64 = NIODeadline.now().uptimeNanoseconds) {
        self.limits = limits
        self.logger = logger
        let bucket = limits.acceptRate.map { rate in
            TokenBucket(ratePerSecond: rate, burst: Double(max(1, min(limits.acceptBurst, 1 << 40))), now: now)
        }
        self.state = NIOLockedValueBox(State(bucket: bucket))
        accepted.increment(by: 0)
        rejected.increment(by: 0)
    }

    /// Decides on one new connection; on `.accept` the caller must call `connectionClosed()` later.
    package func admit(now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Decision {
        let (decision, logCapacity) = state.withLockedValue { state -> (Decision, Bool) in
            if let max = limits.maxConnections, state.open >= max {
                let shouldLog = now &- state.lastCapacityLog > 60_000_000_000 || state.lastCapacityLog == 0
                if shouldLog { state.lastCapacityLog = now }
                return (.rejectCapacity, shouldLog)
            }
            if state.bucket != nil, state.bucket?.take(now: now) == false { return (.rejectRate, false) }
            state.open += 1
            return (.accept, false)
        }
        switch decision {
        case .accept:
            accepted.increment()
        case .rejectRate:
            rejected.increment()
        case .rejectCapacity:
            rejected.increment()
            rejectedCapacity.increment()
            if logCapacity {
                logger.warning("connection limit reached; refusing new connections",
                               metadata: ["max.connections": "\(limits.maxConnections ?? 0)"])
            }
        }
        return decision
    }

    package func connectionClosed() {
        state.withLockedValue { $0.open = max(0, $0.open - 1) }
    }

    package var openConnections: Int { state.withLockedValue { $0.open } }
}

/// Sits in the listening channel's pipeline, ahead of the bootstrap's acceptor, and closes
/// accepted connections the limiter refuses before any byte of TLS is spent on them.
final class AcceptLimitHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limiter: ConnectionAdmissionLimiter

    init(limiter: ConnectionAdmissionLimiter) {
        self.limiter = limiter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        guard limiter.admit() == .accept else {
            child.close(promise: nil)
            return
        }
        let limiter = self.limiter
        child.closeFuture.whenComplete { _ in limiter.connectionClosed() }
        context.fireChannelRead(data)
    }
}
