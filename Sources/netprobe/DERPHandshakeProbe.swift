import Foundation
import NIOCore
import NIOPosix
import RelayCore

/// A DERP connection to one node, as a Tailscale client makes it: TCP, TLS with the node's
/// certificate check (``DERPTLSVerification`` from `CertName` and `InsecureForTests`), the HTTP
/// upgrade and the DERP handshake (ServerKey, ClientInfo, ServerInfo); then it closes. The
/// client announces itself as a prober.
enum DERPHandshakeProbe {
    struct Success: Sendable {
        var duration: Duration
        var serverKey: NodePublicKey
    }

    /// Which step failed, and why, in one line.
    struct Failure: Error, CustomStringConvertible {
        enum Step: String {
            case setup = "setup"
            case connect = "connect"
            case tls = "TLS"
            case derp = "DERP handshake"
        }

        var step: Step
        var reason: String

        var description: String { "\(step.rawValue): \(reason)" }
    }

    /// - Parameter address: where to dial: an IP literal, or the host name to resolve. The TLS
    ///   name (SNI and the name checked) is always the node's `HostName`.
    static func run(
        node: DERPNode,
        address: String,
        timeout: Duration,
        group: any EventLoopGroup
    ) async throws(Failure) -> Success {
        let tls: DERPTLSClientContext
        do {
            let verification = try DERPTLSVerification(certName: node.certName, insecureForTests: node.insecureForTests)
            tls = try DERPTLSClientContext(verification: verification)
        } catch {
            throw Failure(step: .setup, reason: "\(error)")
        }
        let capture = PeerCertificateCapture()
        var configuration = DERPClientConfiguration(
            host: address,
            port: node.effectiveDERPPort,
            serverName: node.hostName,
            privateKey: .generate(),
            tlsContext: nil
        )
        configuration.derpTLS = tls
        configuration.certificateCapture = capture
        configuration.isProber = true
        configuration.connectTimeout = timeout
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let client = try await DERPClient.connect(configuration, group: group)
            let success = Success(duration: clock.now - start, serverKey: client.serverKey)
            await client.close()
            return success
        } catch {
            throw classify(error, capture: capture, timeout: timeout)
        }
    }

    private static func classify(_ error: any Error, capture: PeerCertificateCapture, timeout: Duration) -> Failure {
        if let refusal = capture.verificationFailure {
            return Failure(step: .tls, reason: refusal)
        }
        switch error {
        case DERPClientError.timedOut where capture.presentedCertificates.isEmpty:
            return Failure(step: .tls, reason: "no handshake within \(ProbeText.duration(timeout))")
        case let error as DERPClientError:
            return Failure(step: .derp, reason: "\(error)")
        case let error as NIOConnectionError:
            // The label already names the address, so say only what went wrong.
            var reasons: [String] = []
            for attempt in error.connectionErrors where !reasons.contains(describe(attempt.error)) {
                reasons.append(describe(attempt.error))
            }
            if let dns = error.dnsAError { reasons.append("DNS A: \(dns)") }
            if let dns = error.dnsAAAAError { reasons.append("DNS AAAA: \(dns)") }
            return Failure(step: .connect, reason: reasons.isEmpty ? "\(error)" : reasons.joined(separator: "; "))
        case ChannelError.connectTimeout:
            return Failure(step: .connect, reason: "no TCP connection within \(ProbeText.duration(timeoutOf(error)))")
        case let error as IOError:
            return Failure(step: .connect, reason: describe(error))
        default:
            // TCP was up. Once our check has accepted the certificates, TLS is through and the
            // failure is the DERP exchange's (a bad frame, say); before, it is the TLS layer's,
            // and its error is all we have.
            if !capture.presentedCertificates.isEmpty {
                return Failure(step: .derp, reason: "\(error)")
            }
            return Failure(step: .tls, reason: "handshake failed: \(error)")
        }
    }

    /// `connection refused` rather than NIO's `connection reset (error set): Connection refused) (errno: 111)`.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return String(cString: strerror(error.errnoCode)).lowercased()
    }

    private static func timeoutOf(_ error: any Error) -> Duration {
        if case ChannelError.connectTimeout(let amount) = error {
            return .nanoseconds(amount.nanoseconds)
        }
        return .zero
    }
}
