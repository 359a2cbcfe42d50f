import NIOCore

/// The client side of one DERP connection: sends the upgrade request, reads the response
/// head, performs the handshake, then decodes frames and hands them to the async reader.
final class DERPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingResponseHead
        case awaitingServerKey
        case awaitingServerInfo
        case established
        case failed
    }

    private let configuration: DERPClientConfiguration
    private let handshake: EventLoopPromise<DERPClient.Handshake>
    private let inbox: DERPFrameInbox
    private var state: State
    private var parser: DERPFrameParser
    private var buffer: ByteBuffer?
    private var serverKey: NodePublicKey?

    init(configuration: DERPClientConfiguration, handshake: EventLoopPromise<DERPClient.Handshake>, inbox: DERPFrameInbox) {
        self.configuration = configuration
        self.handshake = handshake
        self.inbox = inbox
        let fastStart = configuration.fastStartServerKey != nil && !configuration.webSocket
        // Over WebSocket the upgrade handler in front of this one owns the HTTP exchange.
        self.state = fastStart ? .awaitingServerInfo : configuration.webSocket ? .awaitingServerKey : .awaitingResponseHead
        self.parser = DERPFrameParser(role: .client, expectsHandshake: !fastStart)
        self.serverKey = configuration.fastStartServerKey
    }

    func channelActive(context: ChannelHandlerContext) {
        guard !configuration.webSocket else {
            context.fireChannelActive()
            return
        }
        var request = context.channel.allocator.buffer(capacity: 256)
        let usesTLS = configuration.tlsContext != nil || configuration.derpTLS != nil
        let hostHeader = configuration.port == (usesTLS ? 443 : 80)
            ? configuration.serverName : "\(configuration.serverName.contains(":") ? "[\(configuration.serverName)]" : configuration.serverName):\(configuration.port)"
        request.writeString("GET /derp HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: relay-toolkit/\(ToolkitVersion.string)\r\nConnection: Upgrade\r\n")
        if configuration.fastStartServerKey != nil { request.writeString("Derp-Fast-Start: 1\r\n") }
        if let ideal = configuration.idealNode { request.writeString("Ideal-Node: \(ideal)\r\n") }
        request.writeString("Upgrade: DERP\r\n\r\n")
        if let key = configuration.fastStartServerKey {
            // Fast start: the request and ClientInfo leave in one write.
            writeClientInfo(to: key, into: &request)
        }
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        process(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(DERPClientError.closed)
        inbox.close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        if state != .established && state != .failed {
            state = .failed
            handshake.fail(error)
        }
    }

    private func process(context: ChannelHandlerContext) {
        while var pending = buffer, state != .failed {
            if state == .awaitingResponseHead {
                guard let end = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
                    if pending.readableBytes > 16 * 1024 { errorCaught(context: context, error: DERPClientError.malformedResponse) }
                    return
                }
                let headLength = end.upperBound - pending.readableBytesView.startIndex
                let head = pending.readString(length: headLength) ?? ""
                let statusLine = head.split(separator: "\r\n").first ?? ""
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else {
                    errorCaught(context: context, error: DERPClientError.malformedResponse)
                    return
                }
                guard status == 101 else {
                    let body = pending.readString(length: min(pending.readableBytes, 512)) ?? ""
                    errorCaught(context: context, error: DERPClientError.upgradeRefused(status: status, body: body.trimmingWhitespace().description))
                    return
                }
                state = .awaitingServerKey
                buffer = pending
                continue
            }
            let frame: DERPFrame?
            do {
                frame = try parser.next(&pending)
            } catch {
                buffer = nil
                errorCaught(context: context, error: error)
                return
            }
            buffer = pending.readableBytes > 0 ? pending : nil
            guard let frame else { return }
            handle(frame, context: context)
        }
    }

    private func handle(_ frame: DERPFrame, context: ChannelHandlerContext) {
        switch (state, frame) {
        case (.awaitingServerKey, .serverKey(let message)):
            serverKey = message.key
            var out = context.channel.allocator.buffer(capacity: 128)
            writeClientInfo(to: message.key, into: &out)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            state = .awaitingServerInfo
        case (.awaitingServerInfo, .serverInfo(let message)):
            guard let serverKey else { return }
            do {
                let opened = try NaClBox.open(message.sealedInfo.readableBytesView, from: serverKey, to: configuration.privateKey)
                let info = try ServerInfo(jsonBytes: opened)
                state = .established
                handshake.succeed(.init(serverKey: serverKey, serverInfo: info))
            } catch {
                errorCaught(context: context, error: DERPClientError.handshakeFailed("ServerInfo did not open: \(error)"))
            }
        case (.established, _):
            if case .ping(let data) = frame, configuration.canAckPings {
                var out = context.channel.allocator.buffer(capacity: 13)
                _ = try? out.writeDERPFrame(.pong(data))
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
            inbox.append(frame)
        default:
            // Frames before the handshake completes are only ServerKey/ServerInfo; anything else is odd but harmless.
            break
        }
    }

    private func writeClientInfo(to serverKey: NodePublicKey, into buffer: inout ByteBuffer) {
        let info = ClientInfo(meshKey: configuration.meshKey, version: ToolkitVersion.derpProtocol,
                              canAckPings: configuration.canAckPings, isProber: configuration.isProber)
        guard let sealed = try? NaClBox.seal(info.jsonBytes(), to: serverKey, from: configuration.privateKey) else { return }
        _ = try? buffer.writeDERPFrame(.clientInfo(.init(clientKey: configuration.privateKey.publicKey, sealedInfo: ByteBuffer(bytes: sealed))))
    }
}
