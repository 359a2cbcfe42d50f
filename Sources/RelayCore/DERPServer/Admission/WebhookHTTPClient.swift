import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 client for the admission webhook: one connection per POST (`Connection:
/// close`), HTTPS with NIOSSL's normal verification of the URL's host, one deadline covering
/// connect, TLS, request and response, and a cap on the body it reads.
///
/// Like the reference's request it follows no redirects (a 3xx is just a status that is not 200)
/// and sends user information in the URL as basic authentication. Unlike Go's default client it
/// ignores `HTTP(S)_PROXY` and speaks only HTTP/1.1.
package struct WebhookHTTPClient: Sendable {
    let url: WebhookURL
    let tlsContext: NIOSSLContext?
    let timeout: Duration
    let bodyLimit: Int

    package init(url: WebhookURL, tls: TLSConfiguration, timeout: Duration, bodyLimit: Int) throws(AdmissionError) {
        self.url = url
        self.timeout = timeout
        self.bodyLimit = bodyLimit
        guard url.usesTLS else {
            tlsContext = nil
            return
        }
        do {
            tlsContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw .tlsSetupFailed(reason: "\(error)")
        }
    }

    /// POSTs `body` on `loop` (dialing from it). The future always succeeds, on `loop`.
    package func post(_ body: [UInt8], on loop: any EventLoop) -> EventLoopFuture<WebhookExchangeOutcome> {
        if loop.inEventLoop { return start(.POST, body, on: loop) }
        return loop.flatSubmit { self.start(.POST, body, on: loop) }
    }

    /// GETs the URL (DERP map downloads), with the same deadline, body cap and no redirects.
    package func get(on loop: any EventLoop) -> EventLoopFuture<WebhookExchangeOutcome> {
        if loop.inEventLoop { return start(.GET, [], on: loop) }
        return loop.flatSubmit { self.start(.GET, [], on: loop) }
    }

    private func start(_ method: HTTPMethod, _ body: [UInt8], on loop: any EventLoop) -> EventLoopFuture<WebhookExchangeOutcome> {
        let outcome = loop.makePromise(of: WebhookExchangeOutcome.self)
        let handler = NIOLoopBound(
            WebhookResponseHandler(head: requestHead(method, bodyLength: body.count), body: ByteBuffer(bytes: body),
                                   bodyLimit: bodyLimit, outcome: outcome),
            eventLoop: loop)
        let timeout = self.timeout
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) { handler.value.timedOut(after: timeout) }
        let url = self.url
        let tlsContext = self.tlsContext
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let tlsContext else { return }
                    // NIOSSL refuses an IP literal as SNI; without a name it checks the IP SANs
                    // against the address it connected to.
                    let name = Self.isIPLiteral(url.host) ? nil : url.host
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: name))
                }
            }
            .connect(host: url.host, port: url.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    do {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(handler.value)
                    } catch {
                        handler.value.connectFailed(error)
                        channel.close(promise: nil)
                    }
                case .failure(let error):
                    handler.value.connectFailed(error)
                }
            }
        return outcome.futureResult.always { _ in timer.cancel() }
    }

    private func requestHead(_ method: HTTPMethod, bodyLength: Int) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "User-Agent", value: "relay-toolkit/\(ToolkitVersion.string)")
        if method == .POST {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(bodyLength))
        }
        headers.add(name: "Connection", value: "close")
        if let authorization = url.basicAuthorization { headers.add(name: "Authorization", value: authorization) }
        return HTTPRequestHead(version: .http1_1, method: method, uri: url.target, headers: headers)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
