/// derper's flags: the reference derper's names and defaults (tailscale/tailscale cmd/derper/derper.go
/// at de9ec7e; spec/derp.md §15) followed by our own. ``parser`` parses them; the handles read the values.
package struct DERPerFlags: Sendable {
    package private(set) var parser: GoFlagParser

    // Reference flags.
    let dev: GoFlag<Bool>
    let version: GoFlag<Bool>
    let listen: GoFlag<String>
    let httpPort: GoFlag<Int>
    let stunPort: GoFlag<Int>
    let configPath: GoFlag<String>
    let certMode: GoFlag<String>
    let certDirectory: GoFlag<String>
    let hostname: GoFlag<String>
    let acmeEABKeyID: GoFlag<String>
    let acmeEABKey: GoFlag<String>
    let acmeEmail: GoFlag<String>
    let acmeIPCerts: GoFlag<Bool>
    let runSTUN: GoFlag<Bool>
    let runDERP: GoFlag<Bool>
    let home: GoFlag<String>
    let meshPSKFile: GoFlag<String>
    let meshWith: GoFlag<String>
    let secretsURL: GoFlag<String>
    let secretsPathPrefix: GoFlag<String>
    let secretsCacheDirectory: GoFlag<String>
    let bootstrapDNSNames: GoFlag<String>
    let unpublishedBootstrapDNSNames: GoFlag<String>
    let verifyClients: GoFlag<Bool>
    let verifyClientURL: GoFlag<String>
    let verifyClientURLFailOpen: GoFlag<Bool>
    let socket: GoFlag<String>
    let acceptConnectionLimit: GoFlag<Double>
    let acceptConnectionBurst: GoFlag<Int>
    let rateConfig: GoFlag<String>
    let tcpKeepAliveTime: GoFlag<Duration>
    let tcpUserTimeout: GoFlag<Duration>
    let tcpWriteTimeout: GoFlag<Duration>
    let ace: GoFlag<Bool>

    // Our own flags.
    let stunStrict: GoFlag<Bool>
    let stunAltPort: GoFlag<Int>
    let stunAltAddress: GoFlag<String>
    let jsonLogs: GoFlag<Bool>
    let logLevel: GoFlag<String>
    let meshCAFile: GoFlag<String>
    let allowKeysFile: GoFlag<String>
    let maxConnections: GoFlag<Int>
    let drainTimeout: GoFlag<Duration>
    let metricsListen: GoFlag<String>
    let derpMapOut: GoFlag<String>

    /// Flags we accept for compatibility but whose feature derper lacks. The CLI warns when one is set.
    package static let notImplemented: Set<String> = [
        "ace",  // embedded CONNECT proxy
        "acme-eab-key", "acme-eab-kid", "acme-email", "acme-ip-certs",  // ACME certificate automation
        "secrets-cache-dir", "secrets-path-prefix", "secrets-url",  // Tailscale's setec secrets service
        "socket", "verify-clients",  // admission through a local tailscaled
        "bootstrap-dns-names", "unpublished-bootstrap-dns-names",  // DNS-less bootstrap answers
    ]

    /// Flags that are ours, not the reference's.
    package static let extensions: Set<String> = [
        "allow-keys-file", "drain-timeout", "json-logs", "log-level", "max-connections", "mesh-ca-file",
        "metrics-listen", "stun-alt-addr", "stun-alt-port", "stun-strict", "derp-map-out",
    ]

    package init(environment: DERPerEnvironment, programName: String = "derper") {
        var p = GoFlagParser(programName: programName)
        dev = p.bool("dev", default: false, usage: "run in localhost development mode (overrides -a)")
        version = p.bool("version", default: false, usage: "print version and exit")
        listen = p.string(
            "a", default: ":443",
            usage: """
                server HTTP/HTTPS listen address, as ":port", "ip:port" or "[ipv6]:port"; without an IP it \
                listens on all interfaces. HTTPS is served if the port is 443 and/or -certmode is manual, \
                plain HTTP otherwise.
                """)
        httpPort = p.int(
            "http-port", default: 80,
            usage: "port for plain HTTP alongside HTTPS, bound to -a's IP (if any); -1 disables it")
        stunPort = p.int("stun-port", default: 3478, usage: "UDP port for STUN, bound to -a's IP (if any)")
        configPath = p.string(
            "c", default: "",
            usage: "config (node key) file path; as root it defaults to \(DERPerEnvironment.rootConfigPath)")
        certMode = p.string(
            "certmode", default: DERPerOptions.CertMode.letsEncrypt.rawValue,
            usage: "how to get a certificate: manual, letsencrypt or gcp")
        certDirectory = p.string(
            "certdir", default: environment.defaultCertDirectory,
            usage: "directory for certificates (ACME cache, or <hostname>.crt/.key with -certmode manual)")
        hostname = p.string(
            "hostname", default: "derp.tailscale.com",
            usage: """
                TLS host name for certificates when serving HTTPS; may be an IP address with -certmode manual \
                (no SNI checks) or with -acme-ip-certs
                """)
        acmeEABKeyID = p.string(
            "acme-eab-kid", default: "", usage: "ACME External Account Binding key ID (needed by -certmode gcp)")
        acmeEABKey = p.string(
            "acme-eab-key", default: "",
            usage: "ACME External Account Binding HMAC key, base64 (needed by -certmode gcp)")
        acmeEmail = p.string(
            "acme-email", default: "",
            usage: "ACME account contact email (needed by -certmode gcp, optional for letsencrypt)")
        acmeIPCerts = p.bool(
            "acme-ip-certs", default: false,
            usage: "get short-lived Let's Encrypt certificates for the IP addresses clients connect to (needs -certmode letsencrypt)")
        runSTUN = p.bool("stun", default: true, usage: "run a STUN server, bound to -a's IP (if any)")
        runDERP = p.bool(
            "derp", default: true,
            usage: "run the DERP relay; set false to keep only STUN and bootstrap DNS running (e.g. when decommissioning)")
        home = p.string(
            "home", default: "",
            usage: "what / serves: empty for the built-in page, \"blank\" for an empty page, or a URL to redirect to")
        meshPSKFile = p.string(
            "mesh-psk-file", default: environment.defaultMeshPSKFile,
            usage: "file with the mesh pre-shared key: 64 lowercase hex digits, surrounding whitespace ignored")
        meshWith = p.string(
            "mesh-with", default: "",
            usage: "comma-separated hostnames of the region's servers to mesh with (may include this one); host/dialhost dials dialhost for host")
        secretsURL = p.string("secrets-url", default: "", usage: "setec server URL to fetch the mesh key from")
        secretsPathPrefix = p.string(
            "secrets-path-prefix", default: "prod/derp", usage: "setec path prefix of the \"meshkey\" secret")
        secretsCacheDirectory = p.string(
            "secrets-cache-dir", default: environment.defaultSecretsCacheDirectory,
            usage: "directory caching setec secrets (needed with -secrets-url)")
        bootstrapDNSNames = p.string(
            "bootstrap-dns-names", default: "", usage: "comma-separated hostnames to serve at /bootstrap-dns")
        unpublishedBootstrapDNSNames = p.string(
            "unpublished-bootstrap-dns-names", default: "",
            usage: "comma-separated hostnames answered at /bootstrap-dns but not listed; name/txtname takes a 0-100 rollout percentage from txtname's TXT record")
        verifyClients = p.bool(
            "verify-clients", default: false, usage: "admit only clients known to the local tailscaled")
        verifyClientURL = p.string(
            "verify-client-url", default: "",
            usage: "admission webhook URL; each client's key and IP is POSTed there (tailcfg.DERPAdmitClientRequest)")
        verifyClientURLFailOpen = p.bool(
            "verify-client-url-fail-open", default: true, usage: "admit clients when -verify-client-url is unreachable")
        socket = p.string("socket", default: "", usage: "tailscaled socket path for -verify-clients")
        acceptConnectionLimit = p.float64(
            "accept-connection-limit", default: .infinity, usage: "rate limit for accepting new connections, per second")
        acceptConnectionBurst = p.int(
            "accept-connection-burst", default: .max, usage: "burst limit for accepting new connections")
        rateConfig = p.string(
            "rate-config", default: "",
            usage: "JSON file with per-client receive rate limits (experimental), reloaded on SIGHUP")
        tcpKeepAliveTime = p.duration("tcp-keepalive-time", default: .seconds(600), usage: "TCP keepalive time")
        tcpUserTimeout = p.duration("tcp-user-timeout", default: .seconds(15), usage: "TCP user timeout")
        tcpWriteTimeout = p.duration(
            "tcp-write-timeout", default: .seconds(2),
            usage: "per-write timeout to non-mesh clients; 0 means no timeout")
        ace = p.bool("ace", default: false, usage: "run the embedded CONNECT proxy (experimental in the reference)")

        stunStrict = p.bool(
            "stun-strict", default: false, usage: "answer only Tailscale-style STUN binding requests")
        stunAltPort = p.int(
            "stun-alt-port", default: 0,
            usage: "second STUN UDP port for RFC 5780 CHANGE-REQUEST tests; 0 disables it")
        stunAltAddress = p.string(
            "stun-alt-addr", default: "", usage: "second IP address for RFC 5780 STUN tests; empty disables it")
        jsonLogs = p.bool("json-logs", default: false, usage: "write logs as JSON lines")
        logLevel = p.string(
            "log-level", default: "info", usage: "log level: trace, debug, info, notice, warning, error or critical")
        meshCAFile = p.string(
            "mesh-ca-file", default: "", usage: "PEM file of CA certificates trusted for mesh peers' TLS")
        allowKeysFile = p.string(
            "allow-keys-file", default: "", usage: "file of node public keys admitted as clients, one per line")
        maxConnections = p.int(
            "max-connections", default: 0, usage: "maximum concurrent client connections; 0 means unlimited")
        drainTimeout = p.duration(
            "drain-timeout", default: .seconds(5), usage: "how long shutdown waits for clients to go")
        metricsListen = p.string(
            "metrics-listen", default: "",
            usage: "optional separate listen address (host:port) serving Prometheus metrics")
        derpMapOut = p.string(
            "derp-map-out", default: "",
            usage: "write a one-region DERP map JSON for this server (with its certificate pin) to this file at startup")
        parser = p
    }
}
