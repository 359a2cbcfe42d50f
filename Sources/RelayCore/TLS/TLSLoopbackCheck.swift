import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Runs one real TLS handshake over TCP on 127.0.0.1 between a server context and a client, and
/// reports the result. For tests (the unit-test target has no NIOPosix or NIOSSL of its own) and
/// for self-checks such as "does the certificate we just loaded verify for our hostname".
///
/// The server listens on 127.0.0.1 (port 0); the client always connects there, and
/// `serverHostname` is only the name it sends as SNI and verifies against. So a certificate for
/// 127.0.0.2 and `serverHostname: "127.0.0.2"` passes name checks while the TCP peer is 127.0.0.1,
/// except for NIOSSL's own IP check, which matches the peer address.
package enum TLSLoopbackCheck {
    package enum Client: Sendable {
        /// Our DERP client verification.
        case derp(DERPTLSClientContext)
        /// A stock NIOSSL client (BoringSSL chain building and name checks) that trusts only `roots`:
        /// what any ordinary TLS client given these roots would decide.
        case standard(trustRoots: [NIOSSLCertificate])
    }

    package struct Outcome: Sendable {
        /// The handshake completed on the client side.
        package var succeeded: Bool
        /// The client-side error when it did not.
        package var error: String?
        /// `"TLSv1.2"`, `"TLSv1.3"`, … once connected.
        package var tlsVersion: String?
        /// What our verification callback saw and decided (empty for ``Client/standard(trustRoots:)``).
        package var presentedCertificates: [[UInt8]]
        package var verificationFailure: String?
        /// The metacert's contents, found as a DERP client finds them (TLS 1.3 only).
        package var metaCertificateIdentity: DERPMetaCertificate.Identity?
    }

    package static func run(
        server: TLSServerContextStore,
        client: Client,
        serverHostname: String,
        // The process-wide singleton, not a group of our own: this is for tests and self-checks.
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Outcome {
        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(server.makeServerHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            return Outcome(succeeded: false, error: "listener has no port", presentedCertificates: [])
        }

        let capture = PeerCertificateCapture()
        let firstError = NIOLockedValueBox<String?>(nil)
        var outcome = Outcome(succeeded: false, presentedCertificates: [])
        do {
            let connection = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try makeHandler(client: client, serverHostname: serverHostname, capture: capture)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHandler(ErrorRecorder(firstError: firstError))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .get()
            // NIOSSL holds writes until the handshake is done and fails them if it fails, so a
            // completed write means a completed handshake. The server discards the byte.
            let timer = connection.eventLoop.scheduleTask(in: timeout) { connection.close(promise: nil) }
            do {
                try await connection.writeAndFlush(ByteBuffer(bytes: [0x0a]))
                outcome.succeeded = true
                let version = try await connection.nioSSL_tlsVersion().get()
                outcome.tlsVersion = version.map(Self.name(of:))
                outcome.metaCertificateIdentity = capture.metaCertificateIdentity(tlsVersion: version)
            } catch {
                outcome.error = firstError.withLockedValue { $0 } ?? "\(error)"
            }
            timer.cancel()
            try? await connection.close()
        } catch {
            outcome.error = "\(error)"
        }
        try? await listener.close()
        outcome.presentedCertificates = capture.presentedCertificates
        outcome.verificationFailure = capture.verificationFailure
        return outcome
    }

    private static func makeHandler(
        client: Client,
        serverHostname: String,
        capture: PeerCertificateCapture
    ) throws -> NIOSSLClientHandler {
        switch client {
        case .derp(let context):
            return try context.makeClientHandler(serverHostname: serverHostname, capture: capture)
        case .standard(let roots):
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.trustRoots = .certificates(roots)
            let sni = TLSServerName.parseIPAddress(serverHostname) == nil ? serverHostname : nil
            return try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration), serverHostname: sni)
        }
    }

    private static func name(of version: TLSVersion) -> String {
        switch version {
        case .tlsv1: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        }
    }
}

/// Keeps the first error the pipeline reports (the TLS handler's reason for failing) and closes.
private final class ErrorRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let firstError: NIOLockedValueBox<String?>

    init(firstError: NIOLockedValueBox<String?>) {
        self.firstError = firstError
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        firstError.withLockedValue { if $0 == nil { $0 = "\(error)" } }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ErrorRecorder: Sendable {}
