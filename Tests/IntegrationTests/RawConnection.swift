import NIOCore
import NIOPosix
import NIOSSL

/// A TLS client that writes raw bytes and collects whatever the server answers, to feed
/// the server malformed input.
final class RawConnection: Sendable {
    let channel: any Channel
    private let collector: Collector

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: AsyncStream<[UInt8]>
        private let continuation: AsyncStream<[UInt8]>.Continuation

        init() {
            (received, continuation) = AsyncStream<[UInt8]>.makeStream()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(Array(unwrapInboundIn(data).readableBytesView))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            continuation.finish()
            context.close(promise: nil)
        }
    }

    static func connect(port: Int, context: NIOSSLContext?, group: any EventLoopGroup) async throws -> RawConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil)) }
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawConnection(channel: channel, collector: collector)
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Everything the server sends until it closes the connection (or `timeout`).
    func readUntilClosed(timeout: Duration = .seconds(20)) async -> (bytes: [UInt8], closed: Bool) {
        let stream = collector.received
        return await withTaskGroup(of: ([UInt8], Bool)?.self) { group in
            group.addTask {
                var all: [UInt8] = []
                for await chunk in stream { all += chunk }
                return (all, true)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first.map { ($0.0, $0.1) } ?? ([], false)
        }
    }

    func close() async {
        try? await channel.close()
    }
}
