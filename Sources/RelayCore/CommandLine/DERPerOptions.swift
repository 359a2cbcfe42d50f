import Foundation
import Logging

/// derper's validated configuration, built from a Go-style command line by
/// ``parse(_:environment:programName:)``. Every value is typed; "disabled" is nil.
///
/// Stored properties hold what the command line said. What the server should actually do,
/// after `-dev` and the reference's other rules, is in the computed properties
/// (``effectiveListen``, ``servesTLS``, ``httpListen``, ``stunListen``, ``keySource``,
/// ``meshKeySource``), so that the CLI can log each decision.
package struct DERPerOptions: Sendable, Equatable {
    // MARK: Listeners

    /// `-a` as given (the reference's default `:443`). See ``effectiveListen``.
    package let listen: DERPerListenAddress
    /// `-http-port`: plain HTTP beside HTTPS; nil when negative (the reference disables it for any value below 0).
    package let httpPort: Int?
    /// `-stun-port`.
    package let stunPort: Int
    /// `-stun`.
    package let runSTUN: Bool
    /// `-derp`: false keeps STUN, bootstrap DNS and the probe endpoints but answers `/derp` with 404.
    package let runDERP: Bool

    // MARK: Identity and TLS

    /// `-c` if given (non-empty). See ``keySource``.
    package let configPath: String?
    package let hostname: String
    package let certMode: CertMode
    /// `-certdir`: empty when Go would have found no user cache directory.
    package let certDirectory: String
    package let acmeIPCerts: Bool
    package let acmeEABKeyID: String?
    /// `-acme-eab-key`, an HMAC secret.
    package let acmeEABKey: Secret?
    package let acmeEmail: String?
    package let dev: Bool
    package let home: HomePage

    // MARK: Mesh and admission

    package let meshPSKFile: String?
    package let meshWith: [MeshPeer]
    package let secretsURL: String?
    package let secretsPathPrefix: String
    package let secretsCacheDirectory: String
    package let bootstrapDNSNames: [BootstrapDNSName]
    package let unpublishedBootstrapDNSNames: [BootstrapDNSName]
    package let verifyClients: Bool
    package let verifyClientURL: URL?
    package let verifyClientURLFailOpen: Bool
    package let tailscaledSocketPath: String?

    // MARK: Limits and timeouts

    /// `-accept-connection-limit`: accepted connections per second on the TLS listener (+Inf: no limit).
    package let acceptConnectionLimit: Double
    package let acceptConnectionBurst: Int
    package let rateConfigPath: String?
    /// `-tcp-keepalive-time` as Go's `net.ListenConfig.KeepAlive` reads it: nil when negative
    /// (keepalives off); 0 becomes Go's default of 15 s.
    package let tcpKeepAliveTime: Duration?
    /// `-tcp-user-timeout` (TCP_USER_TIMEOUT); nil for 0, which leaves the system default.
    package let tcpUserTimeout: Duration?
    /// `-tcp-write-timeout` for non-mesh clients; nil for 0 (no timeout).
    package let tcpWriteTimeout: Duration?
    package let ace: Bool
    /// `-version`: the CLI prints the version and exits (``parse(_:environment:programName:)``
    /// already returns ``ParseOutcome/version`` for it).
    package let printVersion: Bool

    // MARK: Our own flags

    /// `-stun-strict`: answer only STUN requests shaped like Tailscale's.
    package let stunStrict: Bool
    /// `-stun-alt-port`; nil for 0.
    package let stunAltPort: Int?
    /// `-stun-alt-addr`: a validated IP literal (IPv6 without brackets); nil when empty.
    package let stunAltAddress: String?
    package let jsonLogs: Bool
    package let logLevel: Logger.Level
    package let meshCAFile: String?
    package let allowKeysFile: String?
    /// `-max-connections`; nil for 0 (unlimited).
    package let maxConnections: Int?
    package let drainTimeout: Duration
    /// `-metrics-listen`: a separate Prometheus listener; nil when empty.
    package let metricsListen: DERPerListenAddress?
    /// `-derp-map-out`: where to write this server's DERP map at startup; nil when empty.
    package let derpMapOut: String?

    // MARK: Bookkeeping

    /// Names of the flags given on the command line.
    package let explicitlySet: Set<String>
    /// Arguments after the flags. The reference ignores them; note that `-stun false` leaves
    /// "false" here and STUN on, so the CLI should warn about any.
    package let extraArguments: [String]
    /// `TAILSCALE_DERPER_MESH_KEY` as found in the environment (only used with `-dev`).
    let devMeshKey: Secret?

    // MARK: - Decisions

    /// The port `-dev` listens on, in place of `-a` ("above the keys DERP" in the reference).
    package static let devListenPort = 3340

    /// Where the main HTTP(S) listener binds: `:3340` with `-dev` (which overrides `-a`), else `-a`.
    package var effectiveListen: DERPerListenAddress {
        dev ? DERPerListenAddress(host: nil, port: Self.devListenPort) : listen
    }

    /// Whether the main listener speaks TLS. The reference's rule: port 443 (`https`) or
    /// `-certmode manual`. So `-dev` serves plain HTTP unless `-certmode manual` is given.
    package var servesTLS: Bool {
        effectiveListen.port == 443 || certMode == .manual
    }

    /// The plain-HTTP listener beside the TLS one (ACME HTTP-01, `/generate_204`, redirects);
    /// nil when disabled or when the main listener is itself plain HTTP.
    package var httpListen: DERPerListenAddress? {
        guard servesTLS, let httpPort else { return nil }
        return effectiveListen.withPort(httpPort)
    }

    /// The STUN UDP address (same IP as the main listener), or nil with `-stun=false`.
    package var stunListen: DERPerListenAddress? {
        runSTUN ? effectiveListen.withPort(stunPort) : nil
    }

    /// The node key: fresh per run with `-dev`; otherwise the `-c` file, which as root defaults
    /// to `/var/lib/derper/derper.key` (validation rejects a missing `-c` for other users).
    package var keySource: KeySource {
        if dev { return .ephemeral }
        return .file(path: configPath ?? DERPerEnvironment.rootConfigPath)
    }

    /// The mesh key's source. With `-dev` only `TAILSCALE_DERPER_MESH_KEY` counts; otherwise
    /// `-mesh-psk-file`. (`-secrets-url` would come first in the reference; we don't implement it.)
    package var meshKeySource: MeshKeySource {
        if dev { return devMeshKey.map { MeshKeySource.environment($0.value) } ?? .none }
        return meshPSKFile.map { MeshKeySource.file(path: $0) } ?? .none
    }

    /// Whether `-dev` silently replaced an explicit `-a` (worth a warning).
    package var devOverridesListen: Bool {
        dev && explicitlySet.contains("a")
    }

    /// Flags given on the command line that derper accepts but does not implement, sorted.
    package var notImplementedFlagsSet: [String] {
        explicitlySet.intersection(DERPerFlags.notImplemented).sorted()
    }
}
