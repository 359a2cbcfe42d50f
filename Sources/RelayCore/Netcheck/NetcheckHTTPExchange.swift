import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 request on a fresh connection, with or without TLS, bounded by a deadline: the
/// transport of the HTTPS latency check (`/derp/latency-check`) and the captive-portal check
/// (`/generate_204`). Only the response head is read; the connection is closed after it.
enum NetcheckHTTPExchange {
    struct TLS {
        var context: DERPTLSClientContext
        /// The name being dialed (`HostName`): SNI unless an IP, and what the certificate must match.
        var serverHostname: String
        var capture: PeerCertificateCapture
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        /// TCP connect plus TLS handshake.
        var connected: Duration
        /// From sending the request to receiving the response head.
        var latency: Duration
        var remoteAddress: SocketAddress?
    }

    /// Where it failed, and why, in one line.
    struct Failure: Error, CustomStringConvertible {
        enum Step: String {
            case connect
            case tls = "TLS"
            case http = "HTTP"
        }

        var step: Step
        var reason: String

        var description: String { "\(step.rawValue): \(reason)" }
    }

    static func run(
        to address: SocketAddress, hostHeader: String, path: String, headers: [(String, String)] = [], tls: TLS?,
        deadline: NIODeadline, group: any EventLoopGroup
    ) async throws(Failure) -> Response {
        let loop = group.next()
        let answer = loop.makePromise(of: NetcheckHTTPExchangeHandler.Head.self)
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: "netprobe/\(ToolkitVersion.string)")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let request = head
        let remaining = max(deadline - .now(), .milliseconds(1))
        let connection = ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(tls.context.makeClientHandler(serverHostname: tls.serverHostname, capture: tls.capture))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(NetcheckHTTPExchangeHandler(request: request, waitsForTLS: tls != nil, head: answer))
                }
            }
            .connect(to: address)
        connection.whenFailure { answer.fail($0) }
        let timer = loop.scheduleTask(deadline: deadline) {
            answer.fail(Failure(step: .http, reason: "no response before the deadline"))
            connection.whenSuccess { $0.close(promise: nil) }
        }
        do {
            let result = try await answer.futureResult.get()
            timer.cancel()
            let channel = try? await connection.get()
            return Response(
                status: result.status, headers: result.headers, connected: result.connected, latency: result.latency,
                remoteAddress: channel?.remoteAddress)
        } catch {
            timer.cancel()
            connection.whenSuccess { $0.close(promise: nil) }
            throw classify(error, tls: tls)
        }
    }

    /// `Connection refused` rather than NIO's `connection reset (error set): Connection refused (errno: 111)`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return String(cString: strerror(error.errnoCode))
    }

    /// Turns a connection error into a one-line failure, preferring our verifier's reason for a
    /// refused certificate over BoringSSL's generic one.
    static func classify(_ error: any Error, tls: TLS?) -> Failure {
        if let refusal = tls?.capture.verificationFailure {
            return Failure(step: .tls, reason: refusal)
        }
        switch error {
        case let failure as Failure:
            return failure
        case let error as NIOSSLError:
            return Failure(step: .tls, reason: "handshake failed: \(error)")
        case let error as BoringSSLError:
            return Failure(step: .tls, reason: "handshake failed: \(error)")
        case let error as TLSSetupError:
            return Failure(step: .tls, reason: "\(error)")
        case ChannelError.connectTimeout:
            return Failure(step: .connect, reason: "timed out")
        case let error as NIOConnectionError:
            let reasons = error.connectionErrors.map { "\($0.target): \(describe($0.error))" }
            return Failure(step: .connect, reason: reasons.isEmpty ? "\(error)" : reasons.joined(separator: "; "))
        case let error as IOError:
            return Failure(step: .connect, reason: describe(error))
        case let error as HTTPParserError:
            return Failure(step: .http, reason: "malformed response: \(error)")
        default:
            return Failure(step: .http, reason: "\(error)")
        }
    }
}
