import Logging
import NIOCore
import NIOPosix
import NIOSSL
@testable import RelayCore

/// An in-process derper on 127.0.0.1 with a real TLS certificate generated for this run.
/// Clients trust the generated certificate as their only root, so TLS verification is real.
final class TestRelay: Sendable {
    let group: MultiThreadedEventLoopGroup
    let server: DERPServer
    let listener: any Channel
    let port: Int
    let certificate: SelfSignedIPCertificate
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext

    static func start(
        threads: Int = 2, http: DERPHTTPConfiguration = DERPHTTPConfiguration(),
        limits: ConnectionAdmissionLimiter.Limits? = nil,
        configure: (inout DERPServerConfiguration) -> Void = { _ in }
    ) async throws -> TestRelay {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let key = NodePrivateKey.generate()
        var configuration = DERPServerConfiguration(privateKey: key)
        configure(&configuration)
        var logger = Logger(label: "test.derper")
        logger.logLevel = .critical
        let server = DERPServer(configuration: configuration, logger: logger)

        let certificate = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1")
        let leaf = try NIOSSLCertificate(bytes: certificate.certificateDER, format: .der)
        let meta = try DERPMetaCertificate.generate(serverKey: key.publicKey)
        let privateKey = try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)
        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(leaf), .certificate(meta.sslCertificate)], privateKey: .privateKey(privateKey))
        serverTLS.minimumTLSVersion = .tlsv12
        serverTLS.applicationProtocols = ["http/1.1"]
        let serverContext = try NIOSSLContext(configuration: serverTLS)
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates([leaf])
        clientTLS.minimumTLSVersion = .tlsv12
        let clientContext = try NIOSSLContext(configuration: clientTLS)

        var options = DERPListener.Options(host: "127.0.0.1", port: 0, tlsContext: { serverContext })
        options.limiter = limits.map { ConnectionAdmissionLimiter(limits: $0, logger: logger) }
        let listener = try await DERPListener.bind(options, server: server, http: http, group: group)
        let port = listener.localAddress?.port ?? 0
        return TestRelay(group: group, server: server, listener: listener, port: port, certificate: certificate,
                         serverContext: serverContext, clientContext: clientContext)
    }

    private init(group: MultiThreadedEventLoopGroup, server: DERPServer, listener: any Channel, port: Int,
                 certificate: SelfSignedIPCertificate, serverContext: NIOSSLContext, clientContext: NIOSSLContext) {
        self.group = group
        self.server = server
        self.listener = listener
        self.port = port
        self.certificate = certificate
        self.serverContext = serverContext
        self.clientContext = clientContext
    }

    func client(key: NodePrivateKey = .generate(), fastStart: Bool = false, meshKey: DERPMeshKey? = nil) async throws -> DERPClient {
        var configuration = DERPClientConfiguration(
            host: "127.0.0.1", port: port, privateKey: key, tlsContext: clientContext)
        configuration.meshKey = meshKey
        if fastStart { configuration.fastStartServerKey = server.publicKey }
        configuration.connectTimeout = .seconds(20)
        return try await DERPClient.connect(configuration, group: group)
    }

    /// A raw TLS connection for sending arbitrary bytes.
    func rawConnection() async throws -> RawConnection {
        try await RawConnection.connect(port: port, context: clientContext, group: group)
    }

    func stop() async {
        server.closeAllClients()
        try? await listener.close()
        try? await group.shutdownGracefully()
    }
}

/// Polls `condition` until it holds or `timeout` passes. Used for server-side state that
/// has no event to wait on (registry counts); never for asserting speed.
func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
