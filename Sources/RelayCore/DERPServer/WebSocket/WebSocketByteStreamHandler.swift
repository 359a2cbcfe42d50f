import NIOCore
import NIOWebSocket

/// Carries the DERP byte stream in WebSocket binary messages (spec derp.md §4.4), for the
/// server and for our client. It sits between NIO's frame decoder/encoder and the DERP
/// handler, which keeps reading and writing plain `ByteBuffer`s:
///
/// - inbound binary and continuation payloads (unmasked) go on as stream bytes; message
///   boundaries mean nothing, so nothing is buffered here;
/// - each outbound buffer leaves as one binary message (masked with a fresh key by a client);
/// - Ping is answered with Pong, Close with Close, and a violation (a text message, a bad
///   mask bit, reserved bits or opcodes, an oversized frame) with Close and its status code;
/// - when the DERP side closes the connection, a Close (1000) goes out first.
///
/// The rules themselves live in `WebSocketByteStreamStateMachine`.
final class WebSocketByteStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    /// The largest frame accepted from the peer: a whole ClientInfo frame (1 MiB of sealed
    /// JSON plus its header) fits in one, and the decoder never buffers more than this.
    static let maximumFrameSize = DERPFrame.maxInfoLength + 64

    private let role: WebSocketByteStreamStateMachine.Role
    private var machine: WebSocketByteStreamStateMachine
    /// Told about every protocol violation, with the close code sent (the server counts them).
    private let violation: ((UInt16) -> Void)?

    init(role: WebSocketByteStreamStateMachine.Role, violation: ((UInt16) -> Void)? = nil) {
        self.role = role
        self.machine = WebSocketByteStreamStateMachine(role: role)
        self.violation = violation
    }

    /// The handlers to install after the upgrade, in pipeline order: frame decoder, frame
    /// encoder, then this adapter. The DERP handler goes right after them.
    static func makeHandlers(role: WebSocketByteStreamStateMachine.Role, violation: ((UInt16) -> Void)? = nil) -> [any ChannelHandler] {
        [
            ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maximumFrameSize)),
            WebSocketFrameEncoder(),
            WebSocketByteStreamHandler(role: role, violation: violation),
        ]
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let action = machine.receivedFrame(
            opcode: UInt8(webSocketOpcode: frame.opcode), fin: frame.fin, isMasked: frame.maskKey != nil,
            reservedBits: frame.reservedBits.rawValue)
        switch action {
        case .deliverPayload:
            let payload = frame.unmaskedData
            guard payload.readableBytes > 0 else { return }
            context.fireChannelRead(wrapInboundOut(payload))
        case .replyPong:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: makeMaskingKey(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .ignore:
            break
        case .echoClose:
            var payload = frame.unmaskedData
            sendCloseThenClose(code: payload.readInteger(as: UInt16.self).flatMap(Self.echoable), context: context)
        case .fail(let code):
            violation?(code)
            sendCloseThenClose(code: code, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let frameTooLarge: Bool
        switch error {
        case let error as NIOWebSocketError:
            frameTooLarge = error == .invalidFrameLength
        case is ByteToMessageDecoderError:
            // The decoder already failed once and now drops bytes; that first failure closes us.
            return
        default:
            // TLS failures, resets: the DERP handler decides.
            context.fireErrorCaught(error)
            return
        }
        guard case .fail(let code) = machine.decoderFailed(frameTooLarge: frameTooLarge) else { return }
        violation?(code)
        sendCloseThenClose(code: code, context: context)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // RFC 6455 §5.5.1: no data frames after a Close.
        guard !machine.isClosing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        let payload = unwrapOutboundIn(data)
        guard payload.readableBytes > 0 else {
            promise?.succeed()
            return
        }
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: makeMaskingKey(), data: payload)
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The DERP side is ending the session: say so in WebSocket terms before TLS closes.
        if mode == .all, context.channel.isActive, machine.closingLocally() {
            context.writeAndFlush(wrapOutboundOut(makeCloseFrame(code: WebSocketByteStreamStateMachine.CloseCode.normalClosure, context: context)), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    // MARK: Helpers

    private func sendCloseThenClose(code: UInt16?, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(makeCloseFrame(code: code, context: context)))
            .assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }

    private func makeCloseFrame(code: UInt16?, context: ChannelHandlerContext) -> WebSocketFrame {
        var body = context.channel.allocator.buffer(capacity: 2)
        if let code { body.writeInteger(code) }
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: makeMaskingKey(), data: body)
    }

    /// RFC 6455 §5.3: a client masks every frame with a fresh unpredictable key; a server never masks.
    private func makeMaskingKey() -> WebSocketMaskingKey? {
        role == .client ? .random() : nil
    }

    /// The peer's close code, if it may be sent back (RFC 6455 §7.4: not 1004-1006, 1015, or unassigned ranges).
    private static func echoable(_ code: UInt16) -> UInt16? {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return code
        default: return nil
        }
    }
}

@available(*, unavailable)
extension WebSocketByteStreamHandler: Sendable {}
