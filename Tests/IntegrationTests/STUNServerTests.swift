import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import RelayCore

/// derper's STUN server on real UDP sockets on loopback.
@Suite(.timeLimit(.minutes(1)))
struct STUNServerTests {
    typealias Envelope = AddressedEnvelope<ByteBuffer>
    static let group = MultiThreadedEventLoopGroup.singleton

    static var logger: Logger {
        var logger = Logger(label: "test.stun")
        logger.logLevel = .critical
        return logger
    }

    /// Whether ::1 can be bound here; the IPv6 tests are skipped (and say so) when it cannot.
    static let ipv6LoopbackAvailable: Bool = {
        guard let channel = try? DatagramBootstrap(group: group).bind(host: "::1", port: 0).wait() else { return false }
        try? channel.close().wait()
        return true
    }()

    static func startServer(_ configuration: STUNServerConfiguration) async throws -> STUNServer {
        let server = STUNServer(configuration: configuration, logger: logger)
        try await server.start()
        return server
    }

    static func primaryAddress(_ server: STUNServer) async throws -> SocketAddress {
        try #require(await server.localAddresses.first)
    }

    @Test func tailscaleRequestGetsTheClientsAddress() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let serverAddress = try await Self.primaryAddress(server)
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let id = STUNTransactionID.random()
        try await peer.send(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded(), to: serverAddress)
        let reply = try await peer.receive()
        #expect(reply.remoteAddress == serverAddress)
        let parsed = try #require(STUNMessage.tailscaleBindingResponse(reply.data))
        #expect(parsed.transactionID == id)
        let client = try #require(STUNAddress(peer.localAddress))
        #expect(parsed.mappedAddress == client)
        // The reference server's exact bytes: 32, one XOR-MAPPED-ADDRESS.
        #expect(reply.data == (try STUNMessage.bindingSuccessResponse(transactionID: id, mapped: client).encoded()))
        await peer.close()
        await server.close()
    }

    /// Garbage of every kind gets no answer and does not disturb the socket: the first reply is
    /// the one to the valid request sent after it, and later requests are still answered.
    @Test func garbageDoesNotStopTheServer() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let serverAddress = try await Self.primaryAddress(server)
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let cookie: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
        let garbage: [[UInt8]] = [
            [], [0xFF], Array(repeating: 0, count: 20), [0, 1, 0, 0] + Array(1...16),
            [0, 1, 0, 8] + cookie + Array(repeating: 7, count: 12),
            [1, 1, 0, 0] + cookie + Array(repeating: 7, count: 12),
            // Longer than a receive slot: cut short, then ignored.
            Array(try STUNMessage.bindingRequest(padding: 3000).encoded().readableBytesView),
            (0..<1200).map { UInt8(truncatingIfNeeded: $0 &* 31) },
        ]
        for _ in 0..<3 {
            for bytes in garbage { try await peer.send(ByteBuffer(bytes: bytes), to: serverAddress) }
        }
        for round in 0..<3 {
            let id = STUNTransactionID(repeating: UInt8(round + 1))
            try await peer.send(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded(), to: serverAddress)
            let reply = try await peer.receive()
            #expect(STUNMessage.tailscaleBindingResponse(reply.data)?.transactionID == id)
        }
        await peer.close()
        await server.close()
    }

    /// A standard RFC 8489 request is answered (FINGERPRINT mirrored); strict mode ignores it.
    @Test func standardRequestAndStrictMode() async throws {
        let plain = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let strict = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0, strict: true))
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let client = try #require(STUNAddress(peer.localAddress))
        let standard = try STUNMessage.bindingRequest(transactionID: STUNTransactionID(repeating: 1), software: "stunclient")

        try await peer.send(try standard.encoded(), to: try await Self.primaryAddress(plain))
        let answer = try STUNMessage.decode(try await peer.receive().data)
        #expect(answer.isBindingSuccessResponse)
        #expect(answer.transactionID == standard.transactionID)
        #expect(answer.mappedAddress == client)
        #expect(answer.fingerprint != nil)

        let strictAddress = try await Self.primaryAddress(strict)
        try await peer.send(try standard.encoded(), to: strictAddress)
        let tailscaleID = STUNTransactionID(repeating: 2)
        try await peer.send(try STUNMessage.tailscaleBindingRequest(transactionID: tailscaleID).encoded(), to: strictAddress)
        let first = try await peer.receive()
        #expect(STUNMessage.tailscaleBindingResponse(first.data)?.transactionID == tailscaleID, "the standard request got no answer")
        await peer.close()
        await plain.close()
        await strict.close()
    }

    /// RFC 5780 on 127.0.0.1 and 127.0.0.2 with two ports: every CHANGE-REQUEST is answered from
    /// the socket Table 1 names, which the reply's UDP source and RESPONSE-ORIGIN both show.
    @Test func rfc5780OnTwoLoopbackAddresses() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(
            host: "127.0.0.1", port: 0, alternatePort: 0, alternateAddress: "127.0.0.2"))
        let endpoints = try #require(await server.endpoints.first)
        #expect(endpoints.sockets == STUNServerSocket.allCases)
        let primary = try endpoints.primary.makeSocketAddress()
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let client = try #require(STUNAddress(peer.localAddress))

        let cases: [(STUNChangeRequest, STUNServerSocket)] = [
            ([], .primary), (.changeIP, .alternateAddress), (.changePort, .alternatePort), ([.changeIP, .changePort], .alternateBoth),
        ]
        for (index, (flags, socket)) in cases.enumerated() {
            let id = STUNTransactionID(repeating: UInt8(index + 1))
            let request = try STUNMessage.bindingRequest(transactionID: id, changeRequest: flags)
            try await peer.send(try request.encoded(), to: primary)
            let reply = try await peer.receive()
            let expectedSource = try #require(endpoints.address(of: socket))
            #expect(STUNAddress(reply.remoteAddress) == expectedSource, "\(flags.rawValue) answered from \(socket)")
            let message = try STUNMessage.decode(reply.data)
            #expect(message.transactionID == id)
            #expect(message.mappedAddress == client)
            #expect(message.responseOrigin == expectedSource)
            #expect(message.otherAddress == endpoints.address(of: .alternateBoth))
            #expect(endpoints.address(of: .alternateBoth)?.addressDescription == "127.0.0.2")
        }

        // Sent to IP2:P2, change both: answered from IP1:P1, which is then OTHER-ADDRESS.
        let alternate = try #require(endpoints.address(of: .alternateBoth))
        try await peer.send(
            try STUNMessage.bindingRequest(changeRequest: [.changeIP, .changePort]).encoded(), to: try alternate.makeSocketAddress())
        let back = try await peer.receive()
        #expect(STUNAddress(back.remoteAddress) == endpoints.primary)
        #expect(try STUNMessage.decode(back.data).otherAddress == endpoints.primary)
        await peer.close()
        await server.close()
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound on this host: the IPv6 STUN test did not run"))
    func ipv6Loopback() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "::1", port: 0))
        let peer = try await UDPPeer.bind(host: "::1", group: Self.group)
        let id = STUNTransactionID.random()
        try await peer.send(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded(), to: try await Self.primaryAddress(server))
        let reply = try await peer.receive()
        let parsed = try #require(STUNMessage.tailscaleBindingResponse(reply.data))
        #expect(parsed.transactionID == id)
        #expect(parsed.mappedAddress == STUNAddress(peer.localAddress))
        #expect(parsed.mappedAddress.family == .ipv6)
        #expect(reply.data.readableBytes == 44)
        await peer.close()
        await server.close()
    }

    /// Every-address mode binds one socket per listed address, all on one port.
    @Test func everyAddressBindsEachAddressOnOnePort() async throws {
        var listed = [try SocketAddress(ipAddress: "127.0.0.1", port: 0), try SocketAddress(ipAddress: "fe80::1", port: 0)]
        if Self.ipv6LoopbackAvailable { listed.append(try SocketAddress(ipAddress: "::1", port: 0)) }
        let addresses = listed
        let server = STUNServer(
            configuration: STUNServerConfiguration(host: nil, port: 0), logger: Self.logger,
            localAddresses: { addresses })
        try await server.start()
        let bound = await server.localAddresses
        #expect(bound.count == (Self.ipv6LoopbackAvailable ? 2 : 1), "link-local is left out")
        #expect(Set(bound.compactMap(\.port)).count == 1)
        for address in bound {
            let peer = try await UDPPeer.bind(host: address.protocol == .inet6 ? "::1" : "127.0.0.1", group: Self.group)
            try await peer.send(try STUNMessage.tailscaleBindingRequest().encoded(), to: address)
            let reply = try await peer.receive()
            #expect(reply.remoteAddress == address)
            #expect(STUNMessage.tailscaleBindingResponse(reply.data)?.mappedAddress == STUNAddress(peer.localAddress))
            await peer.close()
        }
        await server.close()
    }

    /// A socket that closes (as on a fatal send error) is bound again, on the same port, by refresh.
    @Test func closedSocketIsBoundAgain() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let address = try await Self.primaryAddress(server)
        let set = try #require(await server.socketSets.first)
        await set.loop.failForTesting()
        await server.refresh()
        #expect(await server.localAddresses == [address])
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        try await peer.send(try STUNMessage.tailscaleBindingRequest().encoded(), to: address)
        #expect(STUNMessage.tailscaleBindingResponse(try await peer.receive().data) != nil)
        await peer.close()
        await server.close()
    }

    /// The service binds, reports ready, answers, and returns on graceful shutdown.
    @Test func serviceRunsUntilGracefulShutdown() async throws {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: [SocketAddress].self)
        let service = STUNServerService(
            configuration: STUNServerConfiguration(host: "127.0.0.1", port: 0), group: Self.group, logger: Self.logger,
            onReady: { readyContinuation.yield($0) })
        let serviceGroup = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            var readyIterator = ready.makeAsyncIterator()
            let address = try #require(await readyIterator.next()?.first)
            let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
            try await peer.send(try STUNMessage.tailscaleBindingRequest().encoded(), to: address)
            #expect(STUNMessage.tailscaleBindingResponse(try await peer.receive().data) != nil)
            await peer.close()
            await serviceGroup.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await service.server.localAddresses.isEmpty)
    }

    /// RESPONSE-PORT (RFC 5780 §7.5, used for binding-lifetime discovery): a request from socket Y
    /// naming X's port is answered to X, with Y's mapping inside.
    @Test func responsePortSendsToTheOtherSocket() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let x = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let y = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let xPort = try #require(x.localAddress.port.flatMap { UInt16(exactly: $0) })
        let request = try STUNMessage.bindingRequest(transactionID: STUNTransactionID(repeating: 9), responsePort: xPort)
        try await y.send(try request.encoded(), to: try await Self.primaryAddress(server))
        let reply = try STUNMessage.decode(try await x.receive().data)
        #expect(reply.transactionID == STUNTransactionID(repeating: 9))
        #expect(reply.mappedAddress == STUNAddress(y.localAddress))
        await x.close()
        await y.close()
        await server.close()
    }

    /// Under the service, a socket that closes is bound again without waiting for the periodic
    /// refresh: the close itself triggers it.
    @Test func serviceRebindsAClosedSocket() async throws {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: [SocketAddress].self)
        var configuration = STUNServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.refreshInterval = .seconds(3600)
        let service = STUNServerService(
            configuration: configuration, group: Self.group, logger: Self.logger, onReady: { readyContinuation.yield($0) })
        let serviceGroup = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            var readyIterator = ready.makeAsyncIterator()
            let address = try #require(await readyIterator.next()?.first)
            let set = try #require(await service.server.socketSets.first)
            await set.loop.failForTesting()

            // Ask until answered: each try waits for a reply, up to 40 tries of 250 ms.
            let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
            var answered = false
            for attempt in 0..<40 where !answered {
                let id = STUNTransactionID(repeating: UInt8(attempt))
                try await peer.send(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded(), to: address)
                if let reply = try? await peer.receive(timeout: .milliseconds(250)) {
                    answered = STUNMessage.tailscaleBindingResponse(reply.data) != nil
                }
            }
            #expect(answered, "the closed socket was bound again on the same port")
            await peer.close()
            await serviceGroup.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func startFailsWhenThePortIsTaken() async throws {
        let server = try await Self.startServer(STUNServerConfiguration(host: "127.0.0.1", port: 0))
        let port = try #require(try await Self.primaryAddress(server).port)
        let second = STUNServer(configuration: STUNServerConfiguration(host: "127.0.0.1", port: port), logger: Self.logger)
        await #expect(throws: STUNServerError.self) { try await second.start() }
        await server.close()
    }
}

/// A UDP socket that sends datagrams and hands back what arrives, with a deadline. Used from one
/// task at a time.
final class UDPPeer {
    typealias Envelope = AddressedEnvelope<ByteBuffer>

    /// What the inbox stream carries: datagrams, and the deadlines of `receive` calls.
    enum Event: Sendable {
        case datagram(Envelope)
        case deadline(UInt64)
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = Envelope
        let continuation: AsyncStream<Event>.Continuation

        init(_ continuation: AsyncStream<Event>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(.datagram(unwrapInboundIn(data)))
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String { "no datagram arrived in time" }
    }

    let channel: any Channel
    let localAddress: SocketAddress
    private let continuation: AsyncStream<Event>.Continuation
    private var events: AsyncStream<Event>.AsyncIterator
    private var lastDeadline: UInt64 = 0

    private init(channel: any Channel, localAddress: SocketAddress, events: AsyncStream<Event>, continuation: AsyncStream<Event>.Continuation) {
        self.channel = channel
        self.localAddress = localAddress
        self.events = events.makeAsyncIterator()
        self.continuation = continuation
    }

    static func bind(host: String, group: any EventLoopGroup) async throws -> UDPPeer {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(continuation)) }
            }
            .bind(host: host, port: 0)
            .get()
        let localAddress = try #require(channel.localAddress)
        return UDPPeer(channel: channel, localAddress: localAddress, events: events, continuation: continuation)
    }

    func send(_ bytes: ByteBuffer, to address: SocketAddress) async throws {
        try await channel.writeAndFlush(Envelope(remoteAddress: address, data: bytes))
    }

    /// The next datagram; throws `Timeout` if none arrives within `timeout`. The deadline is an
    /// event in the same stream, so a timeout leaves the peer usable.
    func receive(timeout: TimeAmount = .seconds(10)) async throws -> Envelope {
        lastDeadline += 1
        let deadline = lastDeadline
        let scheduled = channel.eventLoop.scheduleTask(in: timeout) { [continuation] in
            continuation.yield(.deadline(deadline))
        }
        defer { scheduled.cancel() }
        while let event = await events.next() {
            switch event {
            case .datagram(let envelope): return envelope
            case .deadline(let expired) where expired == deadline: throw Timeout()
            case .deadline: continue
            }
        }
        throw Timeout()
    }

    func close() async {
        try? await channel.close()
        continuation.finish()
    }
}
