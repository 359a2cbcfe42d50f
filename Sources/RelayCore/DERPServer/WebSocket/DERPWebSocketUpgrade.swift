import CoreMetrics
import Crypto
import Foundation
import NIOCore

/// The server side of DERP over WebSocket (spec derp.md §4.4): accepts the RFC 6455
/// handshake with subprotocol `derp`, then runs the normal DERP session behind
/// `WebSocketByteStreamHandler`. Any Origin is accepted and no extension is negotiated,
/// so per-message compression stays off, as the reference does.
enum DERPWebSocketUpgrade {
    /// RFC 6455 §1.3: the GUID appended to the client's key before hashing.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2).
    static func acceptValue(forKey key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + acceptGUID).utf8))
        return Data(digest).base64EncodedString()
    }

    /// The 101 response head. The router sends us here only when the client offered `derp`,
    /// so that is always the subprotocol selected.
    static func responseHead(key: String) -> String {
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(forKey: key))\r\nSec-WebSocket-Protocol: derp\r\n\r\n"
    }

    /// Replaces the HTTP handler behind `context` with the WebSocket adapter and a DERP
    /// connection handler. The 101 response and the ServerKey frame (in its own binary message)
    /// leave in one flush; bytes that followed the request head are WebSocket frames, so they
    /// go through the new frame decoder rather than straight to the DERP parser.
    static func accept(key: String, notIdeal: Bool, leftover: ByteBuffer, server: DERPServer, context: ChannelHandlerContext) {
        var head = context.channel.allocator.buffer(capacity: 192)
        head.writeString(responseHead(key: key))
        context.write(NIOAny(head), promise: nil)

        let metrics = server.metrics
        let derp = DERPServerConnectionHandler(server: server, notIdeal: notIdeal, remoteAddress: context.remoteAddress, initialBytes: nil)
        let handlers = WebSocketByteStreamHandler.makeHandlers(role: .server) { _ in
            metrics.recordProtocolViolation(.badFrame)
        }
        let sync = context.pipeline.syncOperations
        do {
            try sync.addHandlers(handlers + [derp], position: .after(context.handler))
            metrics.websocketAccepts.increment()
            // Written as the DERP handler would write it, so it passes through the adapter and encoder.
            let derpContext = try sync.context(handler: derp)
            derpContext.write(NIOAny(server.serverKeyFrame(allocator: context.channel.allocator)), promise: nil)
            derpContext.flush()
        } catch {
            context.close(promise: nil)
            return
        }
        if leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
        }
        sync.removeHandler(context: context, promise: nil)
    }
}
