import BenchSupport
import NIOCore
import NIOTLS

/// One benchmark connection: the client side of the DERP upgrade and handshake, then a sender or receiver of
/// timestamped packets. The same handler is the sink behind the TLS proxy in reference mode, where it reads the
/// same SendPacket frames a derper would have read. Parsing, handshake and pumping live in one handler so the
/// hot path crosses no pipeline boundary.
final class BenchConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Role: Sendable {
        /// DERP handshake, then hold the connection.
        case idle
        /// DERP handshake, then count and time RecvPacket frames.
        case receiver
        /// DERP handshake, then stream SendPacket frames once started.
        case sender(SendPlan)
        /// No handshake: stream SendPacket frames through a TLS proxy (reference mode).
        case rawSender(SendPlan)
        /// Accepted behind the TLS proxy: count and time SendPacket frames.
        case sink
    }

    enum Stage {
        case upgrade, serverKey, serverInfo, ready
    }

    let role: Role
    private var stage: Stage
    private let keys: BenchKeyPair?
    let recorder: RelayRecorder
    private let hostHeader: (host: String, port: Int)
    private var handshake: EventLoopPromise<Void>?
    private(set) var context: ChannelHandlerContext?
    private var pending = ByteBuffer()
    private var expectedSequence: UInt64 = 0
    var pump = PumpState()

    init(role: Role, keys: BenchKeyPair?, recorder: RelayRecorder, host: String, port: Int,
         handshake: EventLoopPromise<Void>?) {
        self.role = role
        self.keys = keys
        self.recorder = recorder
        self.hostHeader = (host, port)
        self.handshake = handshake
        switch role {
        case .idle, .receiver, .sender: stage = .upgrade
        case .rawSender, .sink: stage = .ready
        }
        if case .sender(let plan) = role { pump.plan = plan }
        if case .rawSender(let plan) = role { pump.plan = plan }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        pending = context.channel.allocator.buffer(capacity: 0)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        switch role {
        case .idle, .receiver, .sender:
            let request = DERPBenchWire.upgradeRequest(host: hostHeader.host, port: hostHeader.port)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        case .rawSender:
            break  // ready once TLS is (userInboundEventTriggered)
        case .sink:
            recorder.sinkAccepted()
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .rawSender = role, let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            completeHandshake()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pump.sending = false
        failHandshake(BenchError.incomplete("connection closed before the DERP handshake completed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failHandshake(error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending.readableBytes == 0 {
            pending = incoming
        } else {
            pending.discardReadBytes()
            pending.writeBuffer(&incoming)
        }
        do {
            try processPending(context: context)
        } catch {
            failHandshake(error)
            context.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resumePumping() }
        context.fireChannelWritabilityChanged()
    }

    func close() {
        pump.sending = false
        context?.close(promise: nil)
    }

    private func processPending(context: ChannelHandlerContext) throws {
        if stage == .upgrade {
            guard let headLength = Self.httpHeadLength(in: pending) else {
                if pending.readableBytes > 16_384 { throw BenchError.protocolViolation("HTTP response head too long") }
                return
            }
            let head = pending.readString(length: headLength) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                throw BenchError.protocolViolation("upgrade refused: \(head.prefix(while: { $0 != "\r" }))")
            }
            stage = .serverKey
        }
        while pending.readableBytes >= DERPBenchWire.frameHeaderLength {
            let start = pending.readerIndex
            guard let type = pending.getInteger(at: start, as: UInt8.self),
                let length32 = pending.getInteger(at: start + 1, as: UInt32.self)
            else { return }
            let length = Int(length32)
            guard length <= DERPBenchWire.maxFrameLength else {
                throw BenchError.protocolViolation("frame of \(length) bytes")
            }
            guard pending.readableBytes >= DERPBenchWire.frameHeaderLength + length else { return }
            try handleFrame(type: type, payloadAt: start + DERPBenchWire.frameHeaderLength, length: length,
                            context: context)
            pending.moveReaderIndex(forwardBy: DERPBenchWire.frameHeaderLength + length)
        }
    }

    private func handleFrame(type: UInt8, payloadAt offset: Int, length: Int, context: ChannelHandlerContext) throws {
        switch stage {
        case .ready:
            guard type == DERPBenchWire.recvPacket || type == DERPBenchWire.sendPacket,
                length >= DERPBenchWire.keyLength + DERPBenchWire.packetHeaderLength,
                let sentAt = pending.getInteger(at: offset + 32, as: UInt64.self),
                let sequence = pending.getInteger(at: offset + 40, as: UInt64.self),
                let sender = pending.getInteger(at: offset + 48, as: UInt32.self)
            else { return }  // keepalives, pings and anything else are not part of the measurement
            let gap = sequence > expectedSequence ? sequence - expectedSequence : 0
            expectedSequence = max(expectedSequence, sequence &+ 1)
            recorder.received(payloadBytes: length - DERPBenchWire.keyLength, sentAt: sentAt, gap: gap)
            recorder.delivered(sender: sender, sequence: sequence)
        case .serverKey:
            guard type == DERPBenchWire.serverKey, length >= 40,
                pending.getBytes(at: offset, length: 8) == DERPBenchWire.magic,
                let serverKey = pending.getBytes(at: offset + 8, length: 32), let keys
            else { throw BenchError.protocolViolation("expected a ServerKey frame, got type \(type)") }
            let sealed = try keys.seal(DERPBenchWire.clientInfoJSON, to: serverKey)
            var out = context.channel.allocator.buffer(capacity: 5 + 32 + sealed.count)
            DERPBenchWire.writeFrameHeader(DERPBenchWire.clientInfo, length: 32 + sealed.count, into: &out)
            out.writeBytes(keys.publicKey)
            out.writeBytes(sealed)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            stage = .serverInfo
        case .serverInfo:
            guard type == DERPBenchWire.serverInfo else {
                throw BenchError.protocolViolation("expected ServerInfo, got frame type \(type)")
            }
            stage = .ready
            completeHandshake()
        case .upgrade:
            throw BenchError.protocolViolation("frame before the HTTP upgrade")
        }
    }

    private func completeHandshake() {
        handshake?.succeed()
        handshake = nil
    }

    private func failHandshake(_ error: any Error) {
        handshake?.fail(error)
        handshake = nil
    }

    /// Length of the HTTP response head including the blank line, if it has all arrived.
    static func httpHeadLength(in buffer: ByteBuffer) -> Int? {
        let view = buffer.readableBytesView
        var index = view.startIndex
        var matched = 0
        let pattern: [UInt8] = [13, 10, 13, 10]
        while index < view.endIndex {
            matched = view[index] == pattern[matched] ? matched + 1 : (view[index] == 13 ? 1 : 0)
            index = view.index(after: index)
            if matched == 4 { return view.distance(from: view.startIndex, to: index) }
        }
        return nil
    }
}

@available(*, unavailable)
extension BenchConnectionHandler: Sendable {}
