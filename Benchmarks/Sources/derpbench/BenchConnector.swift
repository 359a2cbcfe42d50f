import NIOCore
import NIOPosix
import NIOSSL

/// Opens benchmark connections on the generator's single event loop and registers their handlers with the
/// recorder, so the orchestrating task can start, stop and close them by loop-bound reference.
struct BenchConnector: Sendable {
    let loop: any EventLoop
    let recorder: NIOLoopBound<RelayRecorder>

    /// Connects, runs TLS and (for DERP roles) the upgrade and handshake; the future completes when the
    /// connection is ready to carry packets.
    func connect(to target: BenchTarget, role: BenchConnectionHandler.Role, keys: BenchKeyPair?,
                 source: SocketAddress? = nil, timeout: TimeAmount = .seconds(30)) -> EventLoopFuture<any Channel> {
        let handshake = loop.makePromise(of: Void.self)
        let deadline = loop.scheduleTask(in: timeout) {
            handshake.fail(BenchError.incomplete("no DERP handshake within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
        handshake.futureResult.whenComplete { _ in deadline.cancel() }
        let recorder = self.recorder
        var bootstrap = ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = BenchConnectionHandler(
                        role: role, keys: keys, recorder: recorder.value, host: target.host, port: target.port,
                        handshake: handshake)
                    try channel.pipeline.syncOperations.addHandlers(try target.makeTLSHandler(), handler)
                    recorder.value.connections.append(handler)
                    switch role {
                    case .sender(let plan), .rawSender(let plan):
                        recorder.value.addSender(handler, index: plan.senderIndex)
                    case .idle, .receiver, .sink: break
                    }
                }
            }
        if let source { bootstrap = bootstrap.bind(to: source) }
        return bootstrap.connect(host: target.host, port: target.port).flatMap { channel in
            handshake.futureResult.map { channel }
        }.flatMapError { error in
            handshake.fail(error)
            return self.loop.makeFailedFuture(error)
        }
    }

    /// The reference sink: a TLS server whose connections count SendPacket frames like a receiver.
    func startSink(port: Int, tls: NIOSSLContext) -> EventLoopFuture<any Channel> {
        let recorder = self.recorder
        return ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = BenchConnectionHandler(
                        role: .sink, keys: nil, recorder: recorder.value, host: "", port: 0, handshake: nil)
                    try channel.pipeline.syncOperations.addHandlers(NIOSSLServerHandler(context: tls), handler)
                    recorder.value.connections.append(handler)
                }
            }
            .bind(host: "127.0.0.1", port: port)
    }
}
