import NIOCore
import NIOSSL

/// How a DERP client connects: where, as whom, and how it trusts the server.
package struct DERPClientConfiguration: Sendable {
    /// Address to dial (an IP or a DNS name) and port.
    package var host: String
    package var port: Int
    /// Host header value and, for DNS names, the TLS server name.
    package var serverName: String
    /// The client's identity on the relay.
    package var privateKey: NodePrivateKey
    /// Mesh key to present (mesh peers and privileged tools only).
    package var meshKey: DERPMeshKey?
    /// nil for plain HTTP (dev servers); otherwise the TLS context to use.
    package var tlsContext: NIOSSLContext?
    /// Custom verification (pinning); used with a context whose verification is `.noHostnameVerification`.
    package var tlsVerification: (@Sendable ([NIOSSLCertificate], EventLoopPromise<NIOSSLVerificationResult>) -> Void)?
    /// TLS as Tailscale's client verifies a DERP node (WebPKI, CertName, or a sha256-raw pin).
    /// Takes precedence over `tlsContext`/`tlsVerification` when set.
    package var derpTLS: DERPTLSClientContext?
    /// Receives the certificates the server presented (expiry checks, metacert fast start).
    package var certificateCapture: PeerCertificateCapture?
    /// Skip the 101 round trip by sending ClientInfo with the request (needs the server key up front).
    package var fastStartServerKey: NodePublicKey?
    /// Dial DERP over WebSocket (`Upgrade: websocket`, subprotocol `derp`; spec derp.md 4.4) instead of
    /// `Upgrade: DERP`, as clients behind WebSocket-only proxies do. Fast start does not apply.
    package var webSocket = false
    package var canAckPings = true
    package var isProber = false
    /// `Ideal-Node` header value, if this client landed on a non-ideal node.
    package var idealNode: String?
    /// The whole connect (TCP, TLS, HTTP upgrade, handshake) must finish within this.
    package var connectTimeout: Duration = .seconds(10)
    /// Frames buffered for the reader before the oldest are dropped.
    package var receiveBufferFrames = 4096

    package init(host: String, port: Int, serverName: String? = nil, privateKey: NodePrivateKey, tlsContext: NIOSSLContext?) {
        self.host = host
        self.port = port
        self.serverName = serverName ?? host
        self.privateKey = privateKey
        self.tlsContext = tlsContext
    }
}

/// Why a DERP client could not connect or stopped.
package enum DERPClientError: Error, Equatable, CustomStringConvertible {
    case upgradeRefused(status: Int, body: String)
    case malformedResponse
    case handshakeFailed(String)
    case timedOut(String)
    case closed

    package var description: String {
        switch self {
        case .upgradeRefused(let status, let body): return "server refused the DERP upgrade: HTTP \(status) \(body)"
        case .malformedResponse: return "server sent a malformed HTTP response"
        case .handshakeFailed(let why): return "DERP handshake failed: \(why)"
        case .timedOut(let what): return "timed out \(what)"
        case .closed: return "connection closed"
        }
    }
}
