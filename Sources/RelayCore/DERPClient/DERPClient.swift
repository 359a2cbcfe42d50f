import NIOCore
import NIOPosix
import NIOSSL

/// A DERP client over TLS (or plain HTTP for dev servers) with an async API.
/// Used by netprobe's DERP round trip, mesh links, the integration tests and the benchmarks.
package final class DERPClient: Sendable {
    package struct Handshake: Sendable {
        package var serverKey: NodePublicKey
        package var serverInfo: ServerInfo
    }

    package let channel: any Channel
    package let serverKey: NodePublicKey
    package let serverInfo: ServerInfo
    package let publicKey: NodePublicKey
    private let inbox: DERPFrameInbox

    private init(channel: any Channel, handshake: Handshake, publicKey: NodePublicKey, inbox: DERPFrameInbox) {
        self.channel = channel
        self.serverKey = handshake.serverKey
        self.serverInfo = handshake.serverInfo
        self.publicKey = publicKey
        self.inbox = inbox
    }

    /// Dials, upgrades and completes the DERP handshake, all within `configuration.connectTimeout`.
    package static func connect(_ configuration: DERPClientConfiguration, group: any EventLoopGroup) async throws -> DERPClient {
        let inbox = DERPFrameInbox(capacity: configuration.receiveBufferFrames)
        let loop = group.next()
        let handshake = loop.makePromise(of: Handshake.self)
        let timeout = TimeAmount(configuration.connectTimeout)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let derpTLS = configuration.derpTLS {
                            try sync.addHandler(derpTLS.makeClientHandler(
                                serverHostname: configuration.serverName, capture: configuration.certificateCapture))
                        } else if let context = configuration.tlsContext {
                            let name = isIPAddress(configuration.serverName) ? nil : configuration.serverName
                            let tls: NIOSSLClientHandler
                            if let verify = configuration.tlsVerification {
                                tls = try NIOSSLClientHandler(context: context, serverHostname: name, customVerificationCallback: verify)
                            } else {
                                tls = try NIOSSLClientHandler(context: context, serverHostname: name)
                            }
                            try sync.addHandler(tls)
                        }
                        if configuration.webSocket {
                            try sync.addHandler(WebSocketClientUpgradeHandler(configuration: configuration))
                        }
                        try sync.addHandler(DERPClientHandler(configuration: configuration, handshake: handshake, inbox: inbox))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            handshake.fail(error)
            throw error
        }
        let timer = loop.scheduleTask(in: timeout) {
            handshake.fail(DERPClientError.timedOut("waiting for the DERP handshake"))
            channel.close(promise: nil)
        }
        do {
            let result = try await handshake.futureResult.get()
            timer.cancel()
            return DERPClient(channel: channel, handshake: result, publicKey: configuration.privateKey.publicKey, inbox: inbox)
        } catch {
            timer.cancel()
            try? await channel.close()
            throw error
        }
    }

    /// Sends one packet to `destination` through the relay.
    package func send(_ packet: some Collection<UInt8>, to destination: NodePublicKey) async throws {
        var buffer = channel.allocator.buffer(capacity: 37 + packet.count)
        _ = try buffer.writeSendPacketHeader(destination: destination, packetLength: packet.count)
        buffer.writeBytes(packet)
        try await channel.writeAndFlush(buffer)
    }

    /// Writes a raw frame (tests and tools: pings, note-preferred, mesh frames).
    package func send(frame: DERPFrame) async throws {
        var buffer = channel.allocator.buffer(capacity: 64)
        _ = try buffer.writeDERPFrame(frame)
        try await channel.writeAndFlush(buffer)
    }

    /// Writes raw bytes (tests of malformed input).
    package func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The next frame the server sent, waiting as long as it takes; nil once the connection closed.
    package func nextFrame() async -> DERPFrame? {
        await inbox.next(timeout: nil) { _ in true }
    }

    /// The next frame that matches `predicate`, discarding others; nil if the connection closed
    /// or `timeout` passed first. Timing out does not disturb later reads.
    package func nextFrame(timeout: Duration = .seconds(10), where predicate: @escaping @Sendable (DERPFrame) -> Bool = { _ in true }) async -> DERPFrame? {
        await inbox.next(timeout: timeout, where: predicate)
    }

    /// The next packet received, as (source, bytes).
    package func receivePacket(timeout: Duration = .seconds(10)) async -> (source: NodePublicKey, packet: [UInt8])? {
        let frame = await nextFrame(timeout: timeout) { if case .recvPacket = $0 { return true } else { return false } }
        guard case .recvPacket(let message) = frame else { return nil }
        return (message.source, Array(message.packet.readableBytesView))
    }

    /// Sends a Ping and waits for the matching Pong; returns the round-trip time.
    package func ping(timeout: Duration = .seconds(5)) async throws -> Duration {
        let data = DERPFrame.PingData(rawValue: UInt64.random(in: 0...UInt64.max))
        let clock = ContinuousClock()
        let start = clock.now
        try await send(frame: .ping(data))
        let pong = await nextFrame(timeout: timeout) { if case .pong(let d) = $0 { return d == data } else { return false } }
        guard pong != nil else { throw DERPClientError.timedOut("waiting for a pong") }
        return clock.now - start
    }

    package func close() async {
        try? await channel.close()
    }
}

func isIPAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
}
