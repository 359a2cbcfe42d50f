import CoreMetrics
import Logging
import NIOCore

/// One DERP connection after the HTTP upgrade: it owns the frame parser, the handshake, the
/// client's bounded send queues and its timers. Packets from other connections arrive through
/// `DERPServerClient.deliver`, already on this handler's event loop.
///
/// Hot path: a SendPacket is parsed as a slice of the read buffer, routed with one registry
/// lookup, and written by the destination as one RecvPacket buffer; flushes are coalesced
/// per event-loop tick. No locks are held while writing and no async hop is taken.
final class DERPServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingClientInfo
        case admitting
        case established
        case closed
    }

    let server: DERPServer
    var logger: Logger
    var state = State.awaitingClientInfo
    private var parser = DERPFrameParser(role: .server, expectsHandshake: true)
    var cumulation: ByteBuffer?
    var context: ChannelHandlerContext?
    private(set) var handle: DERPServerClient?
    let notIdeal: Bool
    let remoteAddress: SocketAddress?

    // Outbound state, touched only on this loop.
    var queue: ClientSendQueue
    var discoQueue: ClientSendQueue
    var flushPending = false
    /// The channel's writability as of the last `channelWritabilityChanged`, read per packet
    /// without going through the pipeline to the channel.
    var isWritable = true
    var pongPending = false
    /// Frames written this loop tick, not yet handed to the channel (see appendOutbound).
    var outbound: ByteBuffer?
    /// The capacity a tick's outbound buffer starts with: what the last tick needed (2 to 64 KiB),
    /// so a busy connection does not grow a fresh buffer by doubling every tick.
    var outboundCapacity = 2048
    /// Sources this client has received packets from: it is subscribed to their departure.
    var receivedFrom: Set<NodePublicKey> = []
    /// The last source added to `receivedFrom`, so a stream from one peer skips the set.
    var lastReceivedFrom: NodePublicKey?
    /// The route last looked up and the registry generation it was looked up in: a stream to one
    /// peer takes no registry lock while nothing registers, leaves or moves.
    private var lastRoute: (destination: NodePublicKey, generation: UInt64, route: ClientRegistry.Route)?
    /// Packet counts not yet added to the shared metrics (see `RelayCounters`).
    var counters = RelayCounters()
    /// Connections on this loop that packets from this read went to: they are flushed when the
    /// read's frames are done, so their packets leave before other connections' reads of the same
    /// tick are processed (the tick's flush would wait for all of them).
    private var deliveredTo: [DERPServerClient] = []
    /// The last connection added to `deliveredTo`, so a stream to one peer adds it once.
    private var lastDeliveredTo: ObjectIdentifier?
    var notHereBucket: TokenBucket
    var isPreferred = false
    private let connectedAt = NIODeadline.now()
    var isDuplicate = false
    var isWatcher = false
    /// A frame held back until the client's receive token bucket refills (`-rate-config`).
    var rateLimitedFrame: (frame: DERPFrame, payloadLength: UInt32)?
    var rateBucket: (bucket: TokenBucket, generation: Int)?
    var rateResumeTimer: Scheduled<Void>?

    var handshakeTimer: Scheduled<Void>?
    var writeTimer: Scheduled<Void>?
    var keepAliveTask: RepeatedTask?

    init(server: DERPServer, notIdeal: Bool, remoteAddress: SocketAddress?, initialBytes: ByteBuffer?) {
        self.server = server
        self.notIdeal = notIdeal
        self.remoteAddress = remoteAddress
        self.cumulation = initialBytes.flatMap { $0.readableBytes > 0 ? $0 : nil }
        self.queue = ClientSendQueue(capacity: server.configuration.perClientQueueDepth)
        self.discoQueue = ClientSendQueue(capacity: server.configuration.perClientQueueDepth)
        self.notHereBucket = TokenBucket(
            ratePerSecond: server.configuration.notHereRatePerSecond, burst: server.configuration.notHereBurst,
            now: NIODeadline.now().uptimeNanoseconds)
        var logger = server.logger
        logger[metadataKey: "peer.address"] = "\(remoteAddress.map { "\($0)" } ?? "unknown")"
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isWritable = context.channel.isWritable
        server.metrics.accepts.increment()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: .init(server.configuration.handshakeTimeout)) {
            bound.value.handshakeTimedOut()
        }
        processBufferedFrames()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        teardown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        teardown()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if cumulation == nil || cumulation?.readableBytes == 0 {
            cumulation = incoming
        } else {
            cumulation?.writeBuffer(&incoming)
        }
        processBufferedFrames()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        if isWritable {
            writeTimer?.cancel()
            writeTimer = nil
            drainQueues()
        } else if writeTimer == nil, let timeout = handle?.isMeshPeer == true ? server.configuration.meshWriteTimeout : server.configuration.writeTimeout {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            writeTimer = context.eventLoop.scheduleTask(in: .init(timeout)) { bound.value.writeTimedOut() }
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        closeConnection()
    }

    // MARK: Inbound frames

    func processBufferedFrames() {
        defer {
            if !deliveredTo.isEmpty { flushDeliveries() }
            counters.publish(to: server.metrics)
        }
        if let delayed = rateLimitedFrame {
            // Waiting for rate-limit tokens: reading stays paused until the timer resumes us.
            guard rateLimitAllows(payloadLength: delayed.payloadLength) else { return }
            rateLimitedFrame = nil
            handle(delayed.frame)
        }
        // The buffer is held in a local while frames are parsed, rather than read from and written
        // back to the property per frame: that cost a retain, a release and two exclusivity checks
        // per packet. It goes back once parsing stops, unless the connection closed meanwhile.
        guard var buffer = cumulation else { return }
        cumulation = nil
        parsing: while state == .awaitingClientInfo || state == .established {
            let output: DERPFrameParser.Output?
            do {
                output = try parser.nextOutput(&buffer)
            } catch {
                violation(.badFrame, "malformed frame: \(error)")
                return
            }
            switch output {
            case nil:
                break parsing
            case .skipped:
                server.metrics.unknownFrames.increment()
            case .frame(let frame, let payloadLength):
                if state == .established, !rateLimitAllows(payloadLength: payloadLength) {
                    rateLimitedFrame = (frame, payloadLength)
                    break parsing
                }
                handle(frame)
            }
        }
        guard state != .closed, buffer.readableBytes > 0 else { return }
        if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
        cumulation = buffer
    }

    private func handle(_ frame: DERPFrame) {
        if state == .awaitingClientInfo {
            guard case .clientInfo(let info) = frame else {
                violation(.badClientInfo, "first frame was not ClientInfo")
                return
            }
            receivedClientInfo(info)
            return
        }
        guard let handle else { return }
        if isDuplicate { server.registry.noteActivity(handle) }
        switch frame {
        case .sendPacket(let message):
            relay(message.packet, from: handle.key, to: message.destination, forwarded: false)
        case .forwardPacket(let message):
            guard handle.isMeshPeer else { return violation(.notMesh, "ForwardPacket from a non-mesh client") }
            server.metrics.packetsForwardedIn.increment()
            relay(message.packet, from: message.source, to: message.destination, forwarded: true)
        case .notePreferred(let preferred):
            notePreferred(preferred)
        case .ping(let data):
            server.metrics.gotPing.increment()
            sendPong(data)
        case .watchConns:
            guard handle.isMeshPeer else { return violation(.notMesh, "WatchConns from a non-mesh client") }
            startWatching(handle)
        case .closePeer(let key):
            guard handle.isMeshPeer else { return violation(.notMesh, "ClosePeer from a non-mesh client") }
            let targets = server.registry.connections(of: key)
            logger.info("mesh peer asked to close a client", metadata: ["derp.client": "\(key.shortDescription)", "connections": "\(targets.count)"])
            for target in targets { target.close() }
        default:
            // Frames a client has no business sending after the handshake are skipped by the parser;
            // nothing else reaches here.
            break
        }
    }

    private func receivedClientInfo(_ message: DERPFrame.ClientInfoMessage) {
        let info: ClientInfo
        do {
            let opened = try NaClBox.open(
                message.sealedInfo.readableBytesView, from: message.clientKey, to: server.configuration.privateKey)
            info = try ClientInfo(jsonBytes: opened)
        } catch {
            violation(.badClientInfo, "ClientInfo rejected: \(error)")
            return
        }
        logger[metadataKey: "derp.client"] = "\(message.clientKey.shortDescription)"
        let isMesh = server.isMeshKey(info.meshKey)
        if info.meshKey != nil && !isMesh {
            // A wrong mesh key never grants anything; the reference closes such connections.
            violation(.notMesh, "ClientInfo carried a wrong mesh key")
            return
        }
        guard !isMesh, let policy = server.configuration.admission, let context else {
            establish(key: message.clientKey, info: info, isMesh: isMesh)
            return
        }
        state = .admitting
        let ip = remoteAddress?.ipAddress
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        policy.admit(key: message.clientKey, sourceIP: ip, eventLoop: context.eventLoop)
            .hop(to: context.eventLoop)
            .whenComplete { result in
                let handler = bound.value
                guard handler.state == .admitting else { return }
                if case .success(true) = result {
                    handler.establish(key: message.clientKey, info: info, isMesh: false)
                    handler.processBufferedFrames()
                } else {
                    handler.server.metrics.rejectedConnections.increment()
                    handler.logger.info("client not admitted")
                    handler.closeConnection()
                }
            }
    }

    private func establish(key: NodePublicKey, info: ClientInfo, isMesh: Bool) {
        guard let context else { return }
        handshakeTimer?.cancel()
        handshakeTimer = nil
        let client = DERPServerClient(
            key: key, connectionID: server.makeConnectionID(), eventLoop: context.eventLoop,
            remoteAddress: remoteAddress, isMeshPeer: isMesh, isProber: info.isProber, notIdeal: notIdeal,
            handler: self)
        handle = client
        state = .established
        if notIdeal { server.metrics.currentNotIdealConnections.increment() }
        server.registry.register(client)

        // ServerInfo is always the first frame after ServerKey.
        let advertised = isMesh ? nil : server.configuration.clientRateLimit?.snapshot.limit
        let serverInfo = ServerInfo(
            version: ToolkitVersion.derpProtocol, tokenBucketBytesPerSecond: advertised?.bytesPerSecond ?? 0,
            tokenBucketBytesBurst: advertised?.burstBytes ?? 0)
        if let sealed = try? NaClBox.seal(serverInfo.jsonBytes(), to: key, from: server.configuration.privateKey) {
            var buffer = context.channel.allocator.buffer(capacity: sealed.count + 5)
            _ = try? buffer.writeDERPFrame(.serverInfo(.init(sealedInfo: ByteBuffer(bytes: sealed))))
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        logger.debug("client connected", metadata: ["mesh": "\(isMesh)", "version": "\(info.version)"])
        startKeepAlives(context)
    }

    private func relay(_ packet: ByteBuffer, from source: NodePublicKey, to destination: NodePublicKey, forwarded: Bool) {
        let kind = DiscoPacket.kind(of: packet)
        let metrics = server.metrics
        if !forwarded { counters.received(bytes: packet.readableBytes, kind: kind) }
        switch route(to: destination) {
        case .local(let target):
            if target.deliver(source: source, packet: packet), lastDeliveredTo != ObjectIdentifier(target) {
                lastDeliveredTo = ObjectIdentifier(target)
                deliveredTo.append(target)
            }
        case .forward(let forwarder) where !forwarded:
            // One hop only inside a region: forwarded packets are never forwarded again.
            metrics.packetsForwardedOut.increment()
            forwarder.forward(source: source, destination: destination, packet: packet)
        case .forward:
            metrics.recordDrop(.unknownDestinationOnForward, kind: kind, bytes: packet.readableBytes)
        case .duplicateWithoutActive:
            metrics.recordDrop(.duplicateClient, kind: kind, bytes: packet.readableBytes)
        case .unknown:
            metrics.recordDrop(forwarded ? .unknownDestinationOnForward : .unknownDestination, kind: kind, bytes: packet.readableBytes)
            if kind == .disco, notHereBucket.take(now: NIODeadline.now().uptimeNanoseconds) {
                enqueueControl(.peerGone(.init(peer: destination, reason: .notHere)))
            }
        }
    }

    private func flushDeliveries() {
        for target in deliveredTo { target.flushNow() }
        deliveredTo.removeAll(keepingCapacity: true)
        lastDeliveredTo = nil
    }

    /// The registry's route to `destination`, remembered while the registry's generation stands.
    /// The generation is read before the lookup, so a change racing with it makes the next packet
    /// look again rather than keep a stale route.
    private func route(to destination: NodePublicKey) -> ClientRegistry.Route {
        let registry = server.registry
        let generation = registry.routeGeneration
        if let lastRoute, lastRoute.generation == generation, lastRoute.destination == destination {
            return lastRoute.route
        }
        let route = registry.route(to: destination)
        lastRoute = (destination, generation, route)
        return route
    }

    private func notePreferred(_ preferred: Bool) {
        guard preferred != isPreferred else { return }
        isPreferred = preferred
        let metrics = server.metrics
        if preferred { metrics.currentHomeConnections.increment() } else { metrics.currentHomeConnections.decrement() }
        if NIODeadline.now() - connectedAt > .seconds(5) {
            (preferred ? metrics.homeMovesIn : metrics.homeMovesOut).increment()
        }
    }

    private func startWatching(_ handle: DERPServerClient) {
        guard !isWatcher else { return }
        // A server meshing with itself gets nothing to watch.
        guard handle.key != server.publicKey else { return }
        isWatcher = true
        for present in server.registry.addWatcher(handle) where present !== handle {
            enqueueControl(.peerPresent(.init(peer: present.key, endpoint: present.remoteAddress, flags: present.presentFlags)))
        }
    }
}
