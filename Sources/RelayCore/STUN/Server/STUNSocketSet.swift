import NIOCore
import NIOPosix

/// The bound sockets of one `STUNServerPlan` (1, 2 or 4 datagram channels), all on one event loop
/// so that a reply CHANGE-REQUEST moves to another socket is written without leaving the loop.
package final class STUNSocketSet: Sendable {
    /// The plan with P1 and P2 as bound (no zeros), otherwise as given: sets are found by plan.
    package let plan: STUNServerPlan
    package let endpoints: STUNServerEndpoints
    /// One channel per socket of `endpoints.sockets`, in that order.
    package let channels: [any Channel]

    private init(plan: STUNServerPlan, endpoints: STUNServerEndpoints, channels: [any Channel]) {
        self.plan = plan
        self.endpoints = endpoints
        self.channels = channels
    }

    /// The bound addresses, primary first.
    package var localAddresses: [SocketAddress] { channels.compactMap(\.localAddress) }

    /// False once any of the channels has closed (a fatal socket error closes a datagram channel).
    package var isActive: Bool { channels.allSatisfy(\.isActive) }

    /// Calls `body` when any of the channels closes.
    package func onAnyClose(_ body: @escaping @Sendable () -> Void) {
        for channel in channels { channel.closeFuture.whenComplete { _ in body() } }
    }

    package func close() async {
        for channel in channels { try? await channel.close() }
    }

    /// Binds the plan's sockets: IP1:P1 first (fixing P1 if it is 0), then IP1:P2 (fixing P2),
    /// then IP2:P1 and IP2:P2. The channels start reading only once every handler is in place.
    /// On any failure the sockets bound so far are closed.
    static func bind(
        _ plan: STUNServerPlan,
        configuration: STUNServerConfiguration,
        eventLoop: any EventLoop,
        metrics: STUNServerMetrics
    ) async throws -> STUNSocketSet {
        var bound: [(STUNServerSocket, any Channel)] = []
        do {
            let primary = try await bindChannel(plan.primary, configuration: configuration, eventLoop: eventLoop)
            bound.append((.primary, primary))
            var boundPlan = plan
            let port = primary.localAddress?.port ?? plan.primary.port ?? 0
            boundPlan.primary.port = port
            if let alternatePort = plan.alternatePort {
                var address = boundPlan.primary
                address.port = alternatePort
                let channel = try await bindChannel(address, configuration: configuration, eventLoop: eventLoop)
                bound.append((.alternatePort, channel))
                boundPlan.alternatePort = channel.localAddress?.port
            }
            if var address = plan.alternateAddress {
                address.port = port
                bound.append((.alternateAddress, try await bindChannel(address, configuration: configuration, eventLoop: eventLoop)))
                if let alternatePort = boundPlan.alternatePort {
                    address.port = alternatePort
                    bound.append((.alternateBoth, try await bindChannel(address, configuration: configuration, eventLoop: eventLoop)))
                }
            }
            let endpoints = try makeEndpoints(boundPlan)
            try await start(bound, endpoints: endpoints, configuration: configuration, metrics: metrics, eventLoop: eventLoop)
            return STUNSocketSet(plan: boundPlan, endpoints: endpoints, channels: bound.map(\.1))
        } catch {
            for (_, channel) in bound { try? await channel.close() }
            throw error
        }
    }

    private static func makeEndpoints(_ plan: STUNServerPlan) throws -> STUNServerEndpoints {
        guard let primary = STUNAddress(datagramSource: plan.primary) else {
            throw STUNServerError.invalidAddress("\(plan.primary)", reason: "not an IP address")
        }
        let alternatePort = try plan.alternatePort.map { port in
            guard let value = UInt16(exactly: port) else { throw STUNServerError.invalidPort(port) }
            return value
        }
        let alternateIP = plan.alternateAddress.flatMap { STUNAddress(datagramSource: $0) }
        return try STUNServerEndpoints(primary: primary, alternatePort: alternatePort, alternateIP: alternateIP)
    }

    /// Installs a handler on each channel, then turns reading on.
    private static func start(
        _ bound: [(STUNServerSocket, any Channel)],
        endpoints: STUNServerEndpoints,
        configuration: STUNServerConfiguration,
        metrics: STUNServerMetrics,
        eventLoop: any EventLoop
    ) async throws {
        var bySocket: [(any Channel)?] = Array(repeating: nil, count: STUNServerSocket.allCases.count)
        for (socket, channel) in bound { bySocket[socket.rawValue] = channel }
        let channels = bySocket
        let responder = STUNResponder(endpoints: endpoints, strict: configuration.strict)
        try await eventLoop.submit {
            for (socket, channel) in bound {
                let handler = STUNServerHandler(
                    responder: responder, socket: socket, channels: channels, metrics: metrics,
                    allocator: channel.allocator)
                try channel.pipeline.syncOperations.addHandler(handler)
            }
            for (_, channel) in bound {
                try channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }.get()
    }

    /// One datagram channel with vector reads: `vectorReadMessageCount` datagrams per `recvmmsg`,
    /// each given `maximumDatagramSize` bytes of one receive buffer (which NIO's buffer pool reuses
    /// once a burst's slices are gone). Reading stays off until the handler is installed.
    private static func bindChannel(
        _ address: SocketAddress,
        configuration: STUNServerConfiguration,
        eventLoop: any EventLoop
    ) async throws -> any Channel {
        let count = max(1, configuration.vectorReadMessageCount)
        let size = max(STUNMessage.headerSize, configuration.maximumDatagramSize)
        do {
            return try await DatagramBootstrap(group: eventLoop)
                .channelOption(.autoRead, value: false)
                .channelOption(.datagramVectorReadMessageCount, value: count)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: count * size))
                .bind(to: address)
                .get()
        } catch {
            let text = STUNAddress(datagramSource: address)?.description ?? "\(address)"
            throw STUNServerError.bindFailed(address: text, reason: "\(error)")
        }
    }
}
