import Logging
import NIOCore
import NIOPosix

/// derper's STUN server: one `STUNSocketSet` per listen address, each served by its own
/// `STUNSocketLoop` thread.
///
/// **One socket per local address, not one wildcard socket.** A reply must leave from the address
/// the request was sent to, or the client's NAT or firewall drops it; a wildcard socket's replies
/// leave from whatever address the kernel picks for the route, which on a host with several
/// addresses per family need not be the one the client used. So when
/// listening on every address, each local address gets its own socket; `refresh()` (run by
/// `STUNServerService` every `refreshInterval`) binds addresses that appear later and closes those
/// that go away. The same refresh rebinds a socket that closed on a fatal error.
///
/// `start`, `refresh` and `close` run one at a time (the actor), from the service's task.
package actor STUNServer {
    package nonisolated let configuration: STUNServerConfiguration
    private let metrics: STUNServerMetrics
    private let logger: Logger
    private let listLocalAddresses: @Sendable () throws -> [SocketAddress]
    private let onSocketClosed: @Sendable () -> Void

    private var sets: [STUNServerPlan: STUNSocketSet] = [:]
    /// P1 and P2, fixed to the bound ports once a 0 has been bound.
    private var port: Int
    private var alternatePort: Int?
    /// The resolved `host`, when not listening on every address.
    private var hostAddress: SocketAddress?
    private var isClosed = false

    /// - Parameters:
    ///   - localAddresses: lists the host's addresses when listening on every address (default:
    ///     every interface address, from `getifaddrs`).
    ///   - onSocketClosed: called from a socket loop's thread whenever a socket closes, on purpose or not;
    ///     the service answers with `refresh()`.
    package init(
        configuration: STUNServerConfiguration,
        metrics: STUNServerMetrics = STUNServerMetrics(),
        logger: Logger,
        localAddresses: (@Sendable () throws -> [SocketAddress])? = nil,
        onSocketClosed: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.listLocalAddresses = localAddresses ?? { try System.enumerateDevices().compactMap(\.address) }
        self.onSocketClosed = onSocketClosed
        self.port = configuration.port
        self.alternatePort = configuration.alternatePort
    }

    /// The bound addresses of every socket, each set's primary first.
    package var localAddresses: [SocketAddress] {
        socketSets.flatMap(\.localAddresses)
    }

    /// The servers as bound.
    package var endpoints: [STUNServerEndpoints] { socketSets.map(\.endpoints) }

    /// The bound socket sets, ordered by primary address.
    package var socketSets: [STUNSocketSet] {
        sets.values.sorted { "\($0.plan.primary)" < "\($1.plan.primary)" }
    }

    /// Binds every socket. For a given host every socket must bind; on every address, those that
    /// bind are kept (the others are logged and retried by `refresh`) unless none does.
    package func start() async throws {
        if configuration.listensOnEveryAddress {
            let plans = try everyAddressPlans()
            var firstError: (any Error)?
            for plan in plans {
                do {
                    try await bind(plan)
                } catch {
                    logger.warning("cannot listen for STUN", metadata: ["stun.plan": "\(plan)", "error": "\(error)"])
                    firstError = firstError ?? error
                }
            }
            if sets.isEmpty { throw firstError ?? STUNServerError.noLocalAddresses }
        } else {
            let address = try await resolveHost()
            hostAddress = address
            try await bind(try configuration.plan(host: address, port: port, alternatePort: alternatePort))
        }
    }

    /// Brings the sockets in line with the host: rebinds any set with a closed socket and, on
    /// every address, binds new addresses and closes sockets of addresses that are gone. Failures
    /// are logged and tried again next time.
    package func refresh() async {
        guard !isClosed else { return }
        var wanted: [STUNServerPlan]
        do {
            if configuration.listensOnEveryAddress {
                wanted = try everyAddressPlans()
            } else if let hostAddress {
                wanted = [try configuration.plan(host: hostAddress, port: port, alternatePort: alternatePort)]
            } else {
                return
            }
        } catch {
            logger.warning("cannot list STUN addresses; keeping the current sockets", metadata: ["error": "\(error)"])
            wanted = Array(sets.keys)
        }
        for (plan, set) in sets where !wanted.contains(plan) || !set.isActive {
            sets[plan] = nil
            if set.isActive {
                logger.notice("address gone; closing its STUN sockets", metadata: ["stun.endpoints": "\(set.endpoints)"])
            } else {
                logger.error("STUN socket closed unexpectedly; binding it again", metadata: ["stun.endpoints": "\(set.endpoints)"])
            }
            await set.close()
        }
        for plan in wanted where sets[plan] == nil {
            do {
                try await bind(plan)
            } catch {
                logger.warning("cannot listen for STUN", metadata: ["stun.plan": "\(plan)", "error": "\(error)"])
            }
        }
    }

    /// Closes every socket; `refresh` does nothing afterwards.
    package func close() async {
        isClosed = true
        let closing = sets.values
        sets = [:]
        for set in closing { await set.close() }
    }

    private func bind(_ plan: STUNServerPlan) async throws {
        // Every socket using P1 (or P2) shares it, also when the configuration said 0.
        var plan = plan
        if plan.primary.port == 0, port != 0 { plan.primary.port = port }
        if plan.alternatePort == 0, let alternatePort, alternatePort != 0 { plan.alternatePort = alternatePort }
        let set = try STUNSocketSet.bind(plan, configuration: configuration, metrics: metrics)
        guard !isClosed else {
            await set.close()
            return
        }
        if port == 0 { port = set.plan.primary.port ?? 0 }
        if alternatePort == 0 { alternatePort = set.plan.alternatePort }
        sets[set.plan] = set
        set.onAnyClose(onSocketClosed)
        logger.info("STUN listening", metadata: [
            "stun.endpoints": "\(set.endpoints)", "stun.strict": "\(configuration.strict)",
        ])
    }

    private func everyAddressPlans() throws -> [STUNServerPlan] {
        try configuration.plans(localAddresses: try listLocalAddresses(), port: port, alternatePort: alternatePort)
    }

    /// An IP literal as is; a name through `getaddrinfo` on NIO's thread pool (the first address,
    /// as Go's `net.ListenPacket` takes).
    private func resolveHost() async throws -> SocketAddress {
        let host = configuration.host ?? ""
        if let address = try? SocketAddress(ipAddress: host, port: 0) { return address }
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try SocketAddress.makeAddressResolvingHost(host, port: 0)
            }
        } catch {
            throw STUNServerError.invalidAddress(host, reason: "\(error)")
        }
    }
}
