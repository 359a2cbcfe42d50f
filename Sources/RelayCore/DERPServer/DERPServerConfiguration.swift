import NIOCore

/// How the relay engine behaves. Defaults are the reference derper's values.
package struct DERPServerConfiguration: Sendable {
    package var privateKey: NodePrivateKey
    /// Mesh pre-shared key; connections presenting it are trusted mesh peers.
    package var meshKey: DERPMeshKey?
    /// Packets queued per client before head drops (Tailscale: 32).
    package var perClientQueueDepth = 32
    /// Deadline for the client's ClientInfo after the ServerKey frame.
    package var handshakeTimeout: Duration = .seconds(10)
    /// KeepAlive frame period; each connection adds its own jitter in [0, keepAliveJitter).
    package var keepAliveInterval: Duration = .seconds(60)
    package var keepAliveJitter: Duration = .seconds(5)
    /// A client whose socket stays unwritable this long is disconnected (`-tcp-write-timeout`; nil = never).
    package var writeTimeout: Duration? = .seconds(2)
    /// Mesh peers get a longer write deadline, as in the reference.
    package var meshWriteTimeout: Duration = .seconds(30)
    /// Not-here notices for disco packets to unknown keys: 1 per second, burst 3.
    package var notHereRatePerSecond: Double = 1
    package var notHereBurst: Double = 3
    /// Decides whether a (non-mesh) client may connect. nil admits everyone.
    package var admission: (any DERPAdmissionPolicy)? = nil
    /// Per-client receive rate limit (`-rate-config`); nil = unlimited. Mesh peers are exempt.
    package var clientRateLimit: ClientRateLimitStore? = nil

    package init(privateKey: NodePrivateKey, meshKey: DERPMeshKey? = nil) {
        self.privateKey = privateKey
        self.meshKey = meshKey
    }
}

/// Admission control for new clients (webhook, allowlist, ...). Runs after ClientInfo opened;
/// mesh peers skip it. The future must complete (true = admit); it may complete on any loop.
package protocol DERPAdmissionPolicy: Sendable {
    func admit(key: NodePublicKey, sourceIP: String?, eventLoop: any EventLoop) -> EventLoopFuture<Bool>
}
