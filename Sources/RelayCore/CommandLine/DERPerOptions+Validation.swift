import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension DERPerOptions {
    /// Builds and checks the options from parsed flag values. Checks that the reference only makes
    /// later (fatally, at startup) are made here, with its wording where it has one.
    init(values: GoFlagValues, flags f: DERPerFlags, environment: DERPerEnvironment) throws(DERPerOptionsError) {
        dev = values[f.dev]
        printVersion = values[f.version]
        explicitlySet = values.explicitlySet
        extraArguments = values.arguments
        devMeshKey = environment.devMeshKey.map(Secret.init)

        // Listeners.
        let listenText = values[f.listen]
        do {
            listen = try DERPerListenAddress(parsing: listenText)
        } catch {
            throw DERPerOptionsError(invalid: "a", "invalid server address \(GoStrconv.quote(listenText)) for -a: \(error)")
        }
        let httpPortValue = values[f.httpPort]
        httpPort = httpPortValue < 0 ? nil : try Self.port(httpPortValue, flag: "http-port", note: "-1 disables it")
        stunPort = try Self.port(values[f.stunPort], flag: "stun-port")
        runSTUN = values[f.runSTUN]
        runDERP = values[f.runDERP]

        // Identity and TLS.
        configPath = Self.nonEmpty(values[f.configPath])
        if !dev, configPath == nil, !environment.isRoot {
            throw DERPerOptionsError(
                invalid: "c", "-c <config path> not specified (it defaults to \(DERPerEnvironment.rootConfigPath) only for root)")
        }
        hostname = values[f.hostname]
        let certModeText = values[f.certMode]
        guard let certMode = CertMode(rawValue: certModeText) else {
            throw .invalidValue(certModeText, flag: "certmode", "possible options: manual, letsencrypt, gcp")
        }
        self.certMode = certMode
        certDirectory = values[f.certDirectory]
        acmeIPCerts = values[f.acmeIPCerts]
        acmeEABKeyID = Self.nonEmpty(values[f.acmeEABKeyID])
        acmeEABKey = Self.nonEmpty(values[f.acmeEABKey]).map(Secret.init)
        acmeEmail = Self.nonEmpty(values[f.acmeEmail])
        let homeText = values[f.home]
        guard let home = HomePage(flagValue: homeText) else {
            throw .invalidValue(homeText, flag: "home", "want empty, \"blank\", or an http:// or https:// URL")
        }
        self.home = home

        // Mesh and admission.
        meshPSKFile = Self.nonEmpty(values[f.meshPSKFile])
        meshWith = try Self.meshPeers(values[f.meshWith])
        secretsURL = Self.nonEmpty(values[f.secretsURL])
        secretsPathPrefix = values[f.secretsPathPrefix]
        secretsCacheDirectory = values[f.secretsCacheDirectory]
        bootstrapDNSNames = Self.bootstrapNames(values[f.bootstrapDNSNames])
        unpublishedBootstrapDNSNames = Self.bootstrapNames(values[f.unpublishedBootstrapDNSNames])
        verifyClients = values[f.verifyClients]
        verifyClientURL = try Self.webhookURL(values[f.verifyClientURL])
        verifyClientURLFailOpen = values[f.verifyClientURLFailOpen]
        tailscaledSocketPath = Self.nonEmpty(values[f.socket])

        // Limits and timeouts.
        acceptConnectionLimit = values[f.acceptConnectionLimit]
        guard !acceptConnectionLimit.isNaN, acceptConnectionLimit >= 0 else {
            throw .invalidValue(
                GoStrconv.formatFloat(acceptConnectionLimit), flag: "accept-connection-limit",
                "must be a rate of at least 0 per second (+Inf for no limit)")
        }
        acceptConnectionBurst = values[f.acceptConnectionBurst]
        guard acceptConnectionBurst >= 0 else {
            throw .invalidValue(String(acceptConnectionBurst), flag: "accept-connection-burst", "must not be negative")
        }
        rateConfigPath = Self.nonEmpty(values[f.rateConfig])
        let keepAlive = values[f.tcpKeepAliveTime]
        tcpKeepAliveTime = keepAlive < .zero ? nil : (keepAlive == .zero ? .seconds(15) : keepAlive)
        tcpUserTimeout = try Self.optionalTimeout(values[f.tcpUserTimeout], flag: "tcp-user-timeout")
        tcpWriteTimeout = try Self.optionalTimeout(values[f.tcpWriteTimeout], flag: "tcp-write-timeout")
        ace = values[f.ace]

        // Our own flags.
        stunStrict = values[f.stunStrict]
        let altPort = values[f.stunAltPort]
        stunAltPort = altPort == 0 ? nil : try Self.port(altPort, flag: "stun-alt-port", note: "0 disables it")
        stunAltAddress = Self.nonEmpty(values[f.stunAltAddress])
        if let stunAltAddress, !Self.isIPAddress(stunAltAddress) {
            throw .invalidValue(stunAltAddress, flag: "stun-alt-addr", "not an IP address")
        }
        if let stunAltPort, stunAltPort == stunPort, stunAltAddress == nil {
            throw .invalidValue(String(stunAltPort), flag: "stun-alt-port", "must differ from -stun-port")
        }
        jsonLogs = values[f.jsonLogs]
        let levelText = values[f.logLevel]
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            throw .invalidValue(levelText, flag: "log-level", "want trace, debug, info, notice, warning, error or critical")
        }
        self.logLevel = logLevel
        meshCAFile = Self.nonEmpty(values[f.meshCAFile])
        allowKeysFile = Self.nonEmpty(values[f.allowKeysFile])
        let maxConnectionsValue = values[f.maxConnections]
        guard maxConnectionsValue >= 0 else {
            throw .invalidValue(String(maxConnectionsValue), flag: "max-connections", "must not be negative (0 means unlimited)")
        }
        maxConnections = maxConnectionsValue == 0 ? nil : maxConnectionsValue
        drainTimeout = values[f.drainTimeout]
        guard drainTimeout >= .zero else {
            throw .invalidValue(
                GoDurationSyntax.format(nanoseconds: drainTimeout.goNanoseconds), flag: "drain-timeout", "must not be negative")
        }
        derpMapOut = Self.nonEmpty(values[f.derpMapOut])
        let metricsText = values[f.metricsListen]
        if metricsText.isEmpty {
            metricsListen = nil
        } else {
            do {
                metricsListen = try DERPerListenAddress(parsing: metricsText)
            } catch {
                throw .invalidValue(metricsText, flag: "metrics-listen", error.description)
            }
        }

        try checkCombinations()
    }

    /// Cross-flag rules. The TLS ones are the reference's `certProviderByCertMode` checks, which
    /// only apply when TLS is served.
    private func checkCombinations() throws(DERPerOptionsError) {
        if !meshWith.isEmpty, meshKeySource == .none {
            let source = dev ? "\(DERPerEnvironment.devMeshKeyVariable) (with -dev)" : "-mesh-psk-file"
            throw DERPerOptionsError(invalid: "mesh-with", "-mesh-with requires a mesh key from \(source)")
        }
        guard servesTLS else { return }
        if hostname.isEmpty {
            throw DERPerOptionsError(invalid: "hostname", "-hostname must not be empty when serving TLS")
        }
        if certDirectory.isEmpty {
            throw DERPerOptionsError(invalid: "certdir", "missing required -certdir flag")
        }
        if acmeIPCerts, certMode != .letsEncrypt {
            throw DERPerOptionsError(invalid: "acme-ip-certs", "-acme-ip-certs requires -certmode=letsencrypt")
        }
        guard certMode != .manual else { return }
        let hostnameIsIP = Self.isIPAddress(hostname)
        if hostnameIsIP, certMode == .gcp {
            throw DERPerOptionsError(invalid: "hostname", "-certmode=gcp requires -hostname to be a DNS name, not an IP address")
        }
        if hostnameIsIP, !acmeIPCerts {
            throw DERPerOptionsError(
                invalid: "hostname",
                "-hostname is an IP address; use -certmode=manual for a self-signed cert, or set -acme-ip-certs to get Let's Encrypt IP address certs")
        }
        if certMode == .gcp {
            if acmeEABKeyID == nil || acmeEABKey == nil {
                throw DERPerOptionsError(invalid: "certmode", "-certmode=gcp requires -acme-eab-kid and -acme-eab-key flags")
            }
            if acmeEmail == nil {
                throw DERPerOptionsError(invalid: "certmode", "-certmode=gcp requires -acme-email flag")
            }
        }
    }

    // MARK: - Helpers

    /// Whether `text` is an IPv4 or IPv6 literal (no brackets, no zone), as Go's `net.ParseIP` decides.
    static func isIPAddress(_ text: String) -> Bool {
        var storage = (UInt64(0), UInt64(0))  // room for an in6_addr
        return withUnsafeMutableBytes(of: &storage) { buffer in
            inet_pton(AF_INET, text, buffer.baseAddress) == 1 || inet_pton(AF_INET6, text, buffer.baseAddress) == 1
        }
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }

    private static func port(_ value: Int, flag: String, note: String? = nil) throws(DERPerOptionsError) -> Int {
        guard (0...65535).contains(value) else {
            let hint = note.map { "; \($0)" } ?? ""
            throw .invalidValue(String(value), flag: flag, "port must be from 0 to 65535\(hint)")
        }
        return value
    }

    private static func optionalTimeout(_ value: Duration, flag: String) throws(DERPerOptionsError) -> Duration? {
        guard value >= .zero else {
            throw .invalidValue(GoDurationSyntax.format(nanoseconds: value.goNanoseconds), flag: flag, "must not be negative")
        }
        return value == .zero ? nil : value
    }

    /// The reference's `startMeshWithHost` rules: `host` or `host/dialhost`.
    private static func meshPeers(_ text: String) throws(DERPerOptionsError) -> [MeshPeer] {
        guard !text.isEmpty else { return [] }
        var peers: [MeshPeer] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw .invalidValue(text, flag: "mesh-with", "too many components in host tuple \(GoStrconv.quote(String(entry)))")
            }
            guard parts.allSatisfy({ !$0.isEmpty }) else {
                throw .invalidValue(text, flag: "mesh-with", "empty host name in entry \(GoStrconv.quote(String(entry)))")
            }
            peers.append(MeshPeer(host: String(parts[0]), dialHost: parts.count == 2 ? String(parts[1]) : nil))
        }
        return peers
    }

    /// The reference's `resolveList`: `name` or `name/txtname`; empty entries never resolve, so we drop them.
    private static func bootstrapNames(_ text: String) -> [BootstrapDNSName] {
        text.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else { return nil }
            let txt = parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
            return BootstrapDNSName(name: String(name), rolloutTXTName: txt)
        }
    }

    private static func webhookURL(_ text: String) throws(DERPerOptionsError) -> URL? {
        guard !text.isEmpty else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw .invalidValue(text, flag: "verify-client-url", "want an http:// or https:// URL")
        }
        return url
    }
}
