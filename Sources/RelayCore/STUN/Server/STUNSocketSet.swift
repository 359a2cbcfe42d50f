import NIOCore

/// The bound sockets of one `STUNServerPlan` (1, 2 or 4 UDP sockets), all served by one
/// `STUNSocketLoop` thread, so that a reply CHANGE-REQUEST moves to another socket is sent by the
/// same thread in the same burst.
package final class STUNSocketSet: Sendable {
    /// The plan with P1 and P2 as bound (no zeros), otherwise as given: sets are found by plan.
    package let plan: STUNServerPlan
    package let endpoints: STUNServerEndpoints
    /// The bound addresses, primary first.
    package let localAddresses: [SocketAddress]
    package let loop: STUNSocketLoop

    private init(plan: STUNServerPlan, endpoints: STUNServerEndpoints, localAddresses: [SocketAddress], loop: STUNSocketLoop) {
        self.plan = plan
        self.endpoints = endpoints
        self.localAddresses = localAddresses
        self.loop = loop
    }

    /// False once the loop has stopped or a socket has failed.
    package var isActive: Bool { loop.isRunning }

    /// Calls `body` when the sockets close, on purpose or not.
    package func onAnyClose(_ body: @escaping @Sendable () -> Void) {
        loop.onExit(body)
    }

    package func close() async {
        await loop.stop()
    }

    /// Binds the plan's sockets: IP1:P1 first (fixing P1 if it is 0), then IP1:P2 (fixing P2),
    /// then IP2:P1 and IP2:P2, and starts the loop once all are bound. On any failure the sockets
    /// bound so far are closed.
    static func bind(
        _ plan: STUNServerPlan,
        configuration: STUNServerConfiguration,
        metrics: STUNServerMetrics
    ) throws -> STUNSocketSet {
        var bound: [(role: STUNServerSocket, socket: STUNDatagramSocket)] = []
        do {
            let primary = try STUNDatagramSocket.bind(plan.primary)
            bound.append((.primary, primary))
            var boundPlan = plan
            let port = primary.localAddress.port ?? plan.primary.port ?? 0
            boundPlan.primary.port = port
            if let alternatePort = plan.alternatePort {
                var address = boundPlan.primary
                address.port = alternatePort
                let socket = try STUNDatagramSocket.bind(address)
                bound.append((.alternatePort, socket))
                boundPlan.alternatePort = socket.localAddress.port
            }
            if var address = plan.alternateAddress {
                address.port = port
                bound.append((.alternateAddress, try STUNDatagramSocket.bind(address)))
                if let alternatePort = boundPlan.alternatePort {
                    address.port = alternatePort
                    bound.append((.alternateBoth, try STUNDatagramSocket.bind(address)))
                }
            }
            let endpoints = try makeEndpoints(boundPlan)
            let burst = STUNDatagramBurst(
                sockets: bound, responder: STUNResponder(endpoints: endpoints, strict: configuration.strict),
                metrics: metrics, batchSize: configuration.vectorReadMessageCount,
                slotSize: configuration.maximumDatagramSize)
            let addresses = bound.map(\.socket.localAddress)
            let sockets = bound
            bound = []  // The loop owns them now, also if it fails to start.
            let loop = try STUNSocketLoop(sockets: sockets, burst: burst)
            return STUNSocketSet(plan: boundPlan, endpoints: endpoints, localAddresses: addresses, loop: loop)
        } catch {
            for entry in bound { entry.socket.close() }
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
}
