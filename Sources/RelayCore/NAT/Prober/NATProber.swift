import NIOCore
import NIOPosix

/// Runs one NAT probe run over real UDP sockets (DESIGN.md "Probes (client side)").
///
/// Opens, per family the servers need: the mapping socket (on `--source-port` if given), two
/// fresh filtering sockets and a hairpin socket, all on one event loop; drives a
/// `NATProbeStateMachine` there; runs the port-mapping hook concurrently under the same deadline;
/// closes everything and returns the observations. It never throws for what the network does —
/// silence, garbage and refused sends are observations — only when it cannot start.
package enum NATProber {
    package static func run(_ configuration: NATProbeConfiguration, eventLoop: any EventLoop) async throws -> NATObservations {
        let plan = configuration.plan
        guard !plan.servers.isEmpty else { throw NATProberError.noServers() }
        let interfaces = configuration.interfaces ?? LocalInterfaceAddresses.current()

        var channels: [NATSocketID: any Channel] = [:]
        var socketErrors: [NATSocketID: String] = [:]
        for family in plan.families {
            for role in NATSocketID.Role.allCases where isNeeded(role, plan: plan) {
                let socket = NATSocketID(role, family)
                let host = family == .ipv4 ? configuration.bindIPv4 : configuration.bindIPv6
                let port = role == .mapping ? configuration.sourcePort ?? 0 : 0
                do {
                    channels[socket] = try await bind(host: host, port: port, family: family, eventLoop: eventLoop)
                } catch {
                    if role == .mapping, configuration.sourcePort != nil {
                        for channel in channels.values { try? await channel.close() }
                        throw NATProberError.cannotBind(socket, address: "\(host) port \(port)", error: error)
                    }
                    socketErrors[socket] = "\(error)"
                }
            }
        }

        async let portMapping = runPortMappingProbe(configuration.portMappingProbe, budget: plan.timeout)
        let openChannels = channels
        let unavailable = socketErrors
        let outcome: Result<NATObservations, any Error>
        do {
            let observations = try await eventLoop.flatSubmit {
                NATProbeDriver.start(plan: plan, channels: openChannels, socketErrors: unavailable, eventLoop: eventLoop)
            }.get()
            outcome = .success(observations)
        } catch {
            outcome = .failure(error)
        }
        for channel in channels.values { try? await channel.close() }
        var observations = try outcome.get()
        observations.interfaces = interfaces
        observations.portMapping = await portMapping
        return observations
    }

    private static func isNeeded(_ role: NATSocketID.Role, plan: NATProbePlan) -> Bool {
        switch role {
        case .mapping: return true
        case .filteringChangeIPAndPort, .filteringChangePort: return plan.rfc5780
        case .hairpin: return plan.hairpin
        }
    }

    private static func bind(host: String, port: Int, family: NATAddressFamily, eventLoop: any EventLoop) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: eventLoop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
        if family == .ipv6 {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    private enum PortMappingOutcome: Sendable {
        case answered(PortMappingEvidence?)
        case timedOut
    }

    /// The hook's answer (nil when it could not check), or all-false evidence if it outlives
    /// `budget`.
    private static func runPortMappingProbe(
        _ probe: NATProbeConfiguration.PortMappingProbe?, budget: TimeAmount
    ) async -> PortMappingEvidence? {
        guard let probe else { return nil }
        return await withTaskGroup(of: PortMappingOutcome.self) { group in
            group.addTask { .answered(await probe(budget)) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, budget.nanoseconds)))
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            switch first {
            case .answered(let evidence): return evidence
            case .timedOut: return PortMappingEvidence()
            }
        }
    }
}
