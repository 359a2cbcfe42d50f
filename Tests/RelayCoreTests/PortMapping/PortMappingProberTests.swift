import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import RelayCore

/// The prober against a fake gateway on 127.0.0.1: one UDP socket playing the NAT-PMP/PCP server
/// and one playing SSDP, on ephemeral ports the configuration points at. Multicast stays off.
@Suite(.timeLimit(.minutes(1)))
struct PortMappingProberTests {
    typealias V = PortMappingVectors

    /// Answers every datagram with whatever `reply` returns, and remembers what it received.
    final class FakeGatewayHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let reply: @Sendable (ByteBuffer) -> [ByteBuffer]
        let received = Mutex<[ByteBuffer]>([])

        init(reply: @escaping @Sendable (ByteBuffer) -> [ByteBuffer]) {
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            received.withLock { $0.append(envelope.data) }
            for bytes in reply(envelope.data) {
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: bytes)), promise: nil)
            }
            context.flush()
        }
    }

    struct FakeGateway {
        let pmp: any Channel
        let ssdp: any Channel
        let pmpHandler: FakeGatewayHandler
        let ssdpHandler: FakeGatewayHandler

        static func start(pmp: @escaping @Sendable (ByteBuffer) -> [ByteBuffer], ssdp: @escaping @Sendable (ByteBuffer) -> [ByteBuffer]) async throws -> FakeGateway {
            let pmpHandler = FakeGatewayHandler(reply: pmp)
            let ssdpHandler = FakeGatewayHandler(reply: ssdp)
            return FakeGateway(
                pmp: try await bind(pmpHandler), ssdp: try await bind(ssdpHandler),
                pmpHandler: pmpHandler, ssdpHandler: ssdpHandler
            )
        }

        private static func bind(_ handler: FakeGatewayHandler) async throws -> any Channel {
            try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
        }

        func configuration(timeout: TimeAmount) throws -> PortMappingProber.Configuration {
            var configuration = try PortMappingProber.Configuration(gateway: try #require(PortMappingAddress("127.0.0.1")), multicastSSDP: false)
            configuration.pmpPort = try #require(pmp.localAddress?.port)
            configuration.ssdpPort = try #require(ssdp.localAddress?.port)
            configuration.timeout = timeout
            return configuration
        }

        func close() async {
            try? await pmp.close()
            try? await ssdp.close()
        }
    }

    /// miniupnpd's answers, as captured in the lab.
    private static func miniupnpd(_ request: ByteBuffer) -> [ByteBuffer] {
        switch (try? PCPMessage.decode(request), try? PMPMessage.decode(request)) {
        case (.request(let pcp)?, _) where pcp.opcode == .announce:
            return [(try? V.buffer(hex: V.miniupnpdPCPAnnounceReply)) ?? ByteBuffer()]
        case (_, .externalAddressRequest?):
            return [(try? V.buffer(hex: V.miniupnpdPMPExternalAddress)) ?? ByteBuffer()]
        default:
            guard case .search(let search)? = try? SSDPMessage.decode(request),
                search.searchTarget == SSDPMessage.internetGatewayDeviceTarget
            else { return [] }
            return [V.buffer(text: V.miniupnpdSSDPReply)]
        }
    }

    @Test func findsAllThreeProtocolsAndStopsEarly() async throws {
        let gateway = try await FakeGateway.start(pmp: Self.miniupnpd, ssdp: Self.miniupnpd)
        let configuration = try gateway.configuration(timeout: .seconds(20))
        let result = try await PortMappingProber(configuration: configuration).probe()
        await gateway.close()

        #expect(result.upnp && result.natpmp && result.pcp)
        #expect(result.externalAddress == "198.51.100.2")
        #expect(result.details.upnp.count == 1)
        #expect(result.details.clientAddress == "127.0.0.1")
        #expect(result.details.gateway == "127.0.0.1")
        // It stopped once everything answered, long before the deadline.
        #expect(result.details.elapsedMilliseconds < 20_000)

        let pmpRequests = gateway.pmpHandler.received.withLock { $0 }
        #expect(pmpRequests.count == 2)
        #expect(pmpRequests.contains { (try? PMPMessage.decode($0)) == .externalAddressRequest })
        // The PCP client address is the source the kernel chose toward the gateway.
        let client = try #require(PortMappingAddress("127.0.0.1"))
        #expect(pmpRequests.contains { (try? PCPMessage.decode($0)) == .request(.announce(clientAddress: client)) })

        let searches = gateway.ssdpHandler.received.withLock { $0 }.compactMap { bytes -> String? in
            guard case .search(let search)? = try? SSDPMessage.decode(bytes) else { return nil }
            return search.searchTarget
        }
        #expect(searches.sorted() == [SSDPMessage.allTarget, SSDPMessage.internetGatewayDeviceTarget].sorted())
    }

    @Test func refusalsAreDetailedButNotCounted() async throws {
        let gateway = try await FakeGateway.start(
            pmp: { request in
                if case .request? = try? PCPMessage.decode(request) {
                    let reply = PCPMessage.response(.init(opcode: .announce, resultCode: .notAuthorized, lifetime: 0, epochTime: 7))
                    return [(try? reply.encoded()) ?? ByteBuffer()]
                }
                return [(try? V.buffer(hex: V.miniupnpdPMPNetworkFailure)) ?? ByteBuffer()]
            },
            ssdp: { _ in [V.buffer(text: V.miniupnpdSSDPServiceReply)] }
        )
        let configuration = try gateway.configuration(timeout: .milliseconds(300))
        let result = try await PortMappingProber(configuration: configuration).probe()
        await gateway.close()
        #expect(!result.any)
        #expect(result.details.pcp?.result == "NOT_AUTHORIZED")
        #expect(result.details.natpmp?.result == "network failure")
        #expect(result.details.ignoredDatagrams == 2)
    }

    @Test func aSilentGatewayGivesAnEmptyResultAtTheDeadline() async throws {
        let gateway = try await FakeGateway.start(pmp: { _ in [] }, ssdp: { _ in [] })
        let configuration = try gateway.configuration(timeout: .milliseconds(100))
        let result = try await PortMappingProber(configuration: configuration).probe()
        await gateway.close()
        #expect(!result.any)
        #expect(result.externalAddress == nil)
        #expect(result.details.elapsedMilliseconds >= 100)
        #expect(result.details.sendErrors.isEmpty)
    }

    @Test func ipv6GatewaysAreRefused() throws {
        let gateway = try #require(PortMappingAddress("2001:db8::1"))
        #expect(throws: PortMappingError.notIPv4("2001:db8::1")) {
            try PortMappingProber.Configuration(gateway: gateway, multicastSSDP: false)
        }
    }
}
