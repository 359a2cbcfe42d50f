import NIOCore
import NIOPosix

/// Asks a gateway which port-mapping protocols it speaks (spec/nat.md §9.2): from one IPv4 UDP
/// socket, a NAT-PMP external-address request and a PCP ANNOUNCE to gateway:5351, SSDP
/// M-SEARCHes (`ssdp:all` and InternetGatewayDevice) to gateway:1900, and, only if the caller
/// opts in, the same searches to the multicast group 239.255.255.250:1900. Then it listens until
/// the timeout, or until all three protocols answered and 50 ms passed since the first reply.
///
/// It sends only to the addresses the configuration names. Discovery maps no port (ANNOUNCE and
/// the external-address request change nothing on the gateway).
///
/// ```swift
/// let configuration = try PortMappingProber.Configuration(gateway: gatewayAddress, multicastSSDP: true)
/// let result = try await PortMappingProber(configuration: configuration).probe()
/// ```
package struct PortMappingProber: Sendable {
    package struct Configuration: Sendable {
        /// The gateway's IPv4 address.
        package var gateway: PortMappingAddress
        /// Also search the SSDP multicast group (some routers answer only there). Multicast
        /// reaches every device on the local network: tests must only enable it inside a
        /// network namespace of their own.
        package var multicastSSDP: Bool
        /// Our own IPv4 address for PCP's client-address field; nil asks the kernel which source
        /// address it would use toward the gateway (no packet is sent for that).
        package var clientAddress: PortMappingAddress?
        /// The NAT-PMP/PCP server port (5351; other values are for tests).
        package var pmpPort: Int = PCPMessage.serverPort
        /// The SSDP port (1900; other values are for tests).
        package var ssdpPort: Int = SSDPMessage.port
        /// How long to listen at most. Tailscale uses 250 ms; miniupnpd in the lab answers SSDP
        /// after 50–150 ms, so we default to 500 ms to stay reliable on slow machines.
        package var timeout: TimeAmount = .milliseconds(500)
        /// How long after the first reply to keep listening once everything answered.
        package var settle: TimeAmount = .milliseconds(50)

        /// Throws `.notIPv4` unless `gateway` is an IPv4 address (port mapping is IPv4 only).
        package init(gateway: PortMappingAddress, multicastSSDP: Bool) throws(PortMappingError) {
            guard gateway.ipv4 != nil else { throw .notIPv4(gateway.description) }
            self.gateway = gateway
            self.multicastSSDP = multicastSSDP
        }
    }

    package let configuration: Configuration
    private let group: any EventLoopGroup

    /// The executable owns `group`; the default is NIO's process-wide singleton.
    package init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Runs the probe. Throws only when no socket could be opened or the gateway has no route;
    /// a gateway that stays silent gives a result with every protocol false.
    package func probe() async throws(PortMappingError) -> PortMappingResult {
        let client = try await clientAddress()
        let requests = try makeRequests(client: client)
        let loop = group.next()
        let promise = loop.makePromise(of: PortMappingResult.self)
        let configuration = self.configuration
        do {
            _ = try await DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = PortMappingProbeHandler(
                            requests: requests, gateway: configuration.gateway, clientAddress: client,
                            timeout: configuration.timeout, settle: configuration.settle,
                            serverPort: configuration.pmpPort, promise: promise
                        )
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .bind(host: "0.0.0.0", port: 0)
                .get()
        } catch {
            promise.fail(error)
            throw .socket("cannot open a UDP socket: \(error)")
        }
        do {
            return try await promise.futureResult.get()
        } catch {
            throw .socket("\(error)")
        }
    }

    /// Probes the first private default gateway in `/proc/net/route` (Tailscale's precondition,
    /// spec/nat.md §9.1), listening at most `min(budget, 500 ms)`. Nil when there is no such
    /// gateway (clouds, no NAT, not Linux) or the probe could not run: "not checked".
    ///
    /// This sends to the machine's real gateway (and, with `multicastSSDP`, to the LAN): call it
    /// from the tools, never from tests outside a network namespace.
    package static func probeDefaultGateway(
        budget: TimeAmount, multicastSSDP: Bool = true,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> PortMappingResult? {
        guard let route = DefaultRoute.privateIPv4Gateway(),
            var configuration = try? Configuration(gateway: route.gateway, multicastSSDP: multicastSSDP)
        else { return nil }
        configuration.timeout = min(budget, configuration.timeout)
        return try? await PortMappingProber(configuration: configuration, group: group).probe()
    }

    private func clientAddress() async throws(PortMappingError) -> PortMappingAddress {
        if let given = configuration.clientAddress { return given }
        let target = try socketAddress(configuration.gateway, port: configuration.pmpPort)
        do {
            // A connected UDP socket makes the kernel pick the source address; nothing is sent.
            let channel = try await DatagramBootstrap(group: group).connect(to: target).get()
            let local = channel.localAddress
            try? await channel.close()
            if let local, let address = PortMappingAddress(local), address.ipv4 != nil { return address }
        } catch {
            throw .socket("no route to the gateway \(configuration.gateway): \(error)")
        }
        throw .socket("no IPv4 source address toward the gateway \(configuration.gateway)")
    }

    private func makeRequests(client: PortMappingAddress) throws(PortMappingError) -> [PortMappingProbeHandler.Request] {
        let pmpTarget = try socketAddress(configuration.gateway, port: configuration.pmpPort)
        let ssdpTarget = try socketAddress(configuration.gateway, port: configuration.ssdpPort)
        let all = SSDPMessage.search(.init(searchTarget: SSDPMessage.allTarget)).encoded()
        let gateway = SSDPMessage.search(.init(searchTarget: SSDPMessage.internetGatewayDeviceTarget)).encoded()
        var requests: [PortMappingProbeHandler.Request] = [
            .init(label: "NAT-PMP \(pmpTarget)", target: pmpTarget, bytes: PMPMessage.externalAddressRequest.encoded()),
            .init(label: "PCP \(pmpTarget)", target: pmpTarget, bytes: try PCPMessage.request(.announce(clientAddress: client)).encoded()),
            // Unicast first: it teaches a stateful host firewall to let the router's unicast reply in.
            .init(label: "SSDP \(ssdpTarget)", target: ssdpTarget, bytes: all),
            .init(label: "SSDP IGD \(ssdpTarget)", target: ssdpTarget, bytes: gateway),
        ]
        if configuration.multicastSSDP {
            let group: SocketAddress
            do {
                group = try SocketAddress(ipAddress: SSDPMessage.multicastGroup, port: configuration.ssdpPort)
            } catch {
                throw .socket("\(error)")
            }
            requests.append(.init(label: "SSDP \(group)", target: group, bytes: all))
            requests.append(.init(label: "SSDP IGD \(group)", target: group, bytes: gateway))
        }
        return requests
    }

    private func socketAddress(_ address: PortMappingAddress, port: Int) throws(PortMappingError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: address.description, port: port)
        } catch {
            throw .notIPv4(address.description)
        }
    }
}
