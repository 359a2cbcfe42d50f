import Foundation
import NIOCore

/// The client side of DERP over WebSocket (spec derp.md §4.4), placed between TLS and
/// `DERPClientHandler` when `DERPClientConfiguration.webSocket` is set. It sends the RFC 6455
/// upgrade request for `/derp` with subprotocol `derp`, checks the 101 answer, then replaces
/// itself with the frame decoder, encoder and `WebSocketByteStreamHandler`, so the DERP client
/// handler behind it sees the same byte stream as over plain DERP. A refusal is passed on as
/// an error, which fails the handshake.
final class WebSocketClientUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A response head longer than this is not a WebSocket handshake.
    static let maximumHeadLength = 16 * 1024

    private let configuration: DERPClientConfiguration
    private let key: String
    private var buffer: ByteBuffer?
    private var finished = false

    init(configuration: DERPClientConfiguration) {
        self.configuration = configuration
        // RFC 6455 §4.1: a random 16-byte nonce, base64-encoded, fresh for each connection.
        var generator = SystemRandomNumberGenerator()
        self.key = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    func channelActive(context: ChannelHandlerContext) {
        var request = context.channel.allocator.buffer(capacity: 320)
        request.writeString(requestHead())
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        guard var pending = buffer else { return }
        guard let end = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if pending.readableBytes > Self.maximumHeadLength { fail(DERPClientError.malformedResponse, context: context) }
            return
        }
        let head = pending.readString(length: end.upperBound - pending.readableBytesView.startIndex) ?? ""
        do {
            try check(responseHead: head, body: &pending)
        } catch {
            fail(error, context: context)
            return
        }
        finished = true
        buffer = nil
        let sync = context.pipeline.syncOperations
        do {
            try sync.addHandlers(WebSocketByteStreamHandler.makeHandlers(role: .client), position: .after(self))
        } catch {
            fail(error, context: context)
            return
        }
        // The server's first binary message (ServerKey) often arrives with the 101.
        if pending.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(pending)) }
        sync.removeHandler(context: context, promise: nil)
    }

    /// `GET /derp` with the RFC 6455 §4.1 headers; Host as `DERPClientHandler` writes it.
    func requestHead() -> String {
        let usesTLS = configuration.tlsContext != nil || configuration.derpTLS != nil
        let name = configuration.serverName.contains(":") ? "[\(configuration.serverName)]" : configuration.serverName
        let host = configuration.port == (usesTLS ? 443 : 80) ? configuration.serverName : "\(name):\(configuration.port)"
        var head = "GET /derp HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: relay-toolkit/\(ToolkitVersion.string)\r\n"
            + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: \(key)\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: derp\r\n"
        if let ideal = configuration.idealNode { head += "Ideal-Node: \(ideal)\r\n" }
        return head + "\r\n"
    }

    /// RFC 6455 §4.1 (client requirements on the server's answer): status 101, `Upgrade: websocket`,
    /// the accept value for our key, and the `derp` subprotocol we offered.
    private func check(responseHead head: String, body: inout ByteBuffer) throws {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        let statusParts = (lines.first ?? "").split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw DERPClientError.malformedResponse
        }
        guard status == 101 else {
            let text = body.readString(length: min(body.readableBytes, 512)) ?? ""
            throw DERPClientError.upgradeRefused(status: status, body: text.trimmingWhitespace().description)
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw DERPClientError.malformedResponse }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingWhitespace().description
        }
        guard headers["upgrade"]?.lowercased() == "websocket" else {
            throw DERPClientError.handshakeFailed("WebSocket upgrade answered without Upgrade: websocket")
        }
        guard headers["sec-websocket-accept"] == DERPWebSocketUpgrade.acceptValue(forKey: key) else {
            throw DERPClientError.handshakeFailed("wrong Sec-WebSocket-Accept in the WebSocket upgrade")
        }
        guard headers["sec-websocket-protocol"] == "derp" else {
            throw DERPClientError.handshakeFailed("server did not select the derp WebSocket subprotocol")
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        finished = true
        buffer = nil
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension WebSocketClientUpgradeHandler: Sendable {}
