import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A tiny HTTP/1.1 server on 127.0.0.1 playing the admission webhook. It answers by a rule the
/// test sets, records every request (before answering, so a request is on record by the time the
/// relay decides), and can hang to simulate a webhook that never answers. Written on raw bytes,
/// independent of the NIOHTTP1 codec the relay's client uses.
final class TestWebhook: Sendable {
    enum Reply: Sendable {
        case answer(status: Int, body: String)
        /// Read the request, then never answer (the connection stays open until `stop`).
        case hang

        static let allow = Reply.answer(status: 200, body: #"{"Allow":true}"#)
        static let deny = Reply.answer(status: 200, body: #"{"Allow":false}"#)
    }

    struct Request: Sendable {
        var requestLine: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let state: LockedBox<(reply: Reply, requests: [Request])>

    static func start(reply: Reply, tls: NIOSSLContext? = nil) async throws -> TestWebhook {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = LockedBox<(reply: Reply, requests: [Request])>((reply, []))
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestWebhook(port: channel.localAddress?.port ?? 0, group: group, state: state)
    }

    private init(port: Int, group: MultiThreadedEventLoopGroup, state: LockedBox<(reply: Reply, requests: [Request])>) {
        self.port = port
        self.group = group
        self.state = state
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/verify?region=test") ?? URL(fileURLWithPath: "/") }
    var httpsURL: URL { URL(string: "https://127.0.0.1:\(port)/verify") ?? URL(fileURLWithPath: "/") }

    func setReply(_ reply: Reply) { state.withLock { $0.reply = reply } }
    var requests: [Request] { state.withLock { $0.requests } }

    func stop() async {
        try? await group.shutdownGracefully()
    }

    /// A port on 127.0.0.1 with nothing listening: bound, then closed.
    static func closedPort() async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        try await group.shutdownGracefully()
        return port
    }

    private final class ConnectionHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private let state: LockedBox<(reply: Reply, requests: [Request])>
        private var received: [UInt8] = []
        private var done = false

        init(state: LockedBox<(reply: Reply, requests: [Request])>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !done else { return }
            received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
            guard let request = Self.parse(received) else { return }
            done = true
            let reply = state.withLock { state in
                state.requests.append(request)
                return state.reply
            }
            guard case .answer(let status, let body) = reply else { return }
            let text = "HTTP/1.1 \(status) Test\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(body)"
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        /// A complete request (head and Content-Length body), or nil while more is needed.
        private static func parse(_ bytes: [UInt8]) -> Request? {
            guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
            let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = headers["content-length"].flatMap { Int($0) } ?? 0
            let body = bytes[end.upperBound...]
            guard body.count >= length else { return nil }
            return Request(requestLine: lines.first ?? "", headers: headers, body: Array(body.prefix(length)))
        }
    }
}

/// A value behind a lock, for test fixtures shared across event loops.
final class LockedBox<Value>: @unchecked Sendable {
    // `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
