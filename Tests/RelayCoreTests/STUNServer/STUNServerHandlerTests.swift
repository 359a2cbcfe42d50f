import NIOCore
import NIOEmbedded
import Testing

@testable import RelayCore

/// The datagram handler on EmbeddedChannels: replies go out at the end of a read burst, to the
/// right address, from the right socket.
@Suite struct STUNServerHandlerTests {
    typealias Support = STUNServerTestSupport
    typealias Envelope = AddressedEnvelope<ByteBuffer>

    static func envelope(_ bytes: ByteBuffer, from ip: String, _ port: Int) throws -> Envelope {
        Envelope(remoteAddress: try SocketAddress(ipAddress: ip, port: port), data: bytes)
    }

    @Test func repliesAreWrittenWhenTheBurstEnds() throws {
        let channel = EmbeddedChannel()
        let handler = STUNServerHandler(
            responder: try Support.plainResponder(), socket: .primary, channels: [], metrics: STUNServerMetrics())
        try channel.pipeline.syncOperations.addHandler(handler)
        let sources = [("203.0.113.7", 41641), ("2001:db8::7", 41641), ("198.51.100.1", 9)]
        for (ip, port) in sources {
            channel.pipeline.fireChannelRead(try Self.envelope(try Support.tailscaleRequest(), from: ip, port))
        }
        channel.pipeline.fireChannelRead(try Self.envelope(ByteBuffer(bytes: [1, 2, 3]), from: "198.51.100.2", 9))
        #expect(try channel.readOutbound(as: Envelope.self) == nil, "nothing is written before channelReadComplete")

        channel.pipeline.fireChannelReadComplete()
        var replies: [Envelope] = []
        while let reply = try channel.readOutbound(as: Envelope.self) { replies.append(reply) }
        #expect(replies.map(\.remoteAddress) == (try sources.map { try SocketAddress(ipAddress: $0.0, port: $0.1) }))
        #expect(replies.map { Support.hex($0.data) } == [
            STUNResponderTests.ipv4Response, STUNResponderTests.ipv6Response,
            try Support.hex(STUNMessage.bindingSuccessResponse(
                transactionID: Support.sequentialID, mapped: try Support.address("198.51.100.1", 9)).encoded()),
        ])
        #expect(replies.allSatisfy { $0.metadata == nil }, "no control messages on replies")

        // The next burst works the same on the reused buffer.
        try channel.writeInbound(try Self.envelope(try Support.tailscaleRequest(), from: "203.0.113.7", 41641))
        #expect(try channel.readOutbound(as: Envelope.self).map { Support.hex($0.data) } == STUNResponderTests.ipv4Response)
        #expect(try channel.finish().isClean)
    }

    @Test func responsePortChangesTheDestinationPort() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(STUNServerHandler(
            responder: try Support.plainResponder(), socket: .primary, channels: [], metrics: STUNServerMetrics()))
        try channel.writeInbound(try Self.envelope(try Support.request(extra: [.responsePort(5000)]), from: "198.51.100.1", 9))
        let reply = try #require(try channel.readOutbound(as: Envelope.self))
        #expect(reply.remoteAddress == (try SocketAddress(ipAddress: "198.51.100.1", port: 5000)))
        #expect(try STUNMessage.decode(reply.data).mappedAddress == (try Support.address("198.51.100.1", 9)))
        _ = try channel.finish()
    }

    /// A reply that CHANGE-REQUEST moves goes out on the other socket's channel; one whose socket
    /// has no channel is dropped.
    @Test func changedRepliesUseTheOtherChannel() throws {
        let loop = EmbeddedEventLoop()
        let primary = EmbeddedChannel(loop: loop)
        let alternateBoth = EmbeddedChannel(loop: loop)
        var channels: [(any Channel)?] = Array(repeating: nil, count: 4)
        channels[STUNServerSocket.primary.rawValue] = primary
        channels[STUNServerSocket.alternateBoth.rawValue] = alternateBoth
        let responder = try Support.rfc5780Responder()
        try primary.pipeline.syncOperations.addHandler(STUNServerHandler(
            responder: responder, socket: .primary, channels: channels, metrics: STUNServerMetrics()))

        let both = try Support.request(extra: [.changeRequest([.changeIP, .changePort])])
        let ipOnly = try Support.request(STUNTransactionID(repeating: 2), extra: [.changeRequest(.changeIP)])
        let none = try Support.request(STUNTransactionID(repeating: 3))
        for request in [both, ipOnly, none] {
            primary.pipeline.fireChannelRead(try Self.envelope(request, from: "198.51.100.1", 9))
        }
        primary.pipeline.fireChannelReadComplete()

        let moved = try #require(try alternateBoth.readOutbound(as: Envelope.self))
        #expect(moved.remoteAddress == (try SocketAddress(ipAddress: "198.51.100.1", port: 9)))
        #expect(try STUNMessage.decode(moved.data).responseOrigin == (try Support.address("192.0.2.2", 3479)))
        #expect(try alternateBoth.readOutbound(as: Envelope.self) == nil)

        let stayed = try #require(try primary.readOutbound(as: Envelope.self))
        #expect(try STUNMessage.decode(stayed.data).transactionID == STUNTransactionID(repeating: 3))
        #expect(try primary.readOutbound(as: Envelope.self) == nil, "the change-IP reply had no socket and was dropped")
        _ = try primary.finish()
        _ = try alternateBoth.finish()
    }
}
