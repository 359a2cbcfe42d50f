import Logging
import NIOCore
import NIOEmbedded

@testable import RelayCore

/// A DERP server with two clients, A and B, each a `DERPServerConnectionHandler` in an
/// `EmbeddedChannel` on one `EmbeddedEventLoop`: the relay path of a real server (parser,
/// registry, delivery, the coalesced flush) without sockets, TLS or other threads.
struct DERPRelayHarness {
    let loop = EmbeddedEventLoop()
    let server: DERPServer
    let a: EmbeddedChannel
    let b: EmbeddedChannel
    let keyA = NodePrivateKey.generate()
    let keyB = NodePrivateKey.generate()

    init() throws {
        let logger = Logger(label: "allocation-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        server = DERPServer(configuration: DERPServerConfiguration(privateKey: .generate()), logger: logger)
        a = try Self.connect(keyA, to: server, loop: loop, port: 41641)
        b = try Self.connect(keyB, to: server, loop: loop, port: 41642)
    }

    /// Adds a connection handler (the state after the HTTP upgrade and the ServerKey frame), sends
    /// the client's ClientInfo and reads the ServerInfo that completes the handshake.
    private static func connect(
        _ key: NodePrivateKey, to server: DERPServer, loop: EmbeddedEventLoop, port: Int
    ) throws -> EmbeddedChannel {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let handler = DERPServerConnectionHandler(server: server, notIdeal: false, remoteAddress: address, initialBytes: nil)
        let channel = EmbeddedChannel(handler: handler, loop: loop)
        try channel.connect(to: address).wait()
        let sealed = try NaClBox.seal(ClientInfo().jsonBytes(), to: server.publicKey, from: key)
        var clientInfo = ByteBuffer()
        _ = try clientInfo.writeDERPFrame(.clientInfo(.init(clientKey: key.publicKey, sealedInfo: ByteBuffer(bytes: sealed))))
        try channel.writeInbound(clientInfo)
        loop.run()
        var reply = try channel.readOutbound(as: ByteBuffer.self) ?? ByteBuffer()
        var parser = DERPFrameParser(role: .client, expectsHandshake: false)
        guard case .serverInfo = try parser.next(&reply) else { throw HarnessError.noServerInfo }
        return channel
    }

    /// `count` SendPacket frames from A to B of `packetSize` bytes each, in one buffer.
    func sendPacketFrames(count: Int, packetSize: Int) throws -> ByteBuffer {
        var frames = ByteBufferAllocator().buffer(capacity: count * (DERPFrame.headerLength + DERPFrame.keyLength + packetSize))
        for index in 0..<count {
            _ = try frames.writeSendPacketHeader(destination: keyB.publicKey, packetLength: packetSize)
            frames.writeRepeatingByte(UInt8(truncatingIfNeeded: index), count: packetSize)
        }
        return frames
    }

    /// A reads `frames`, the loop runs its tick (B's coalesced flush), and B's output is taken
    /// off its channel. Returns how many bytes B wrote.
    func relay(_ frames: ByteBuffer) throws -> Int {
        try a.writeInbound(frames)
        loop.run()
        var written = 0
        while let output = try b.readOutbound(as: ByteBuffer.self) { written += output.readableBytes }
        return written
    }

    func close() {
        _ = try? a.finish()
        _ = try? b.finish()
    }

    enum HarnessError: Error {
        case noServerInfo
    }
}
