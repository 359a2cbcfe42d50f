import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import RelayCore
import ServiceLifecycle
import UnixSignals
import X509

/// Turns validated options into running services: keys, TLS, the relay, STUN, signals.
struct DERPerRunner {
    let options: DERPerOptions
    let logger: Logger
    let registry: PrometheusCollectorRegistry
    /// The DERP map JSON for `-derp-map-out`, made when the certificate is known.
    let mapForFile = NIOLockedValueBox<String?>(nil)

    func run() async throws {
        for flag in options.notImplementedFlagsSet {
            logger.warning("flag accepted for compatibility but not implemented; ignoring", metadata: ["flag": "-\(flag)"])
        }
        let privateKey = try loadPrivateKey()
        let meshKey = try loadMeshKey()
        var configuration = DERPServerConfiguration(privateKey: privateKey, meshKey: meshKey)
        configuration.writeTimeout = options.tcpWriteTimeout.flatMap { $0 == .zero ? nil : $0 }
        var rateLimits: ClientRateLimitStore? = nil
        if let path = options.rateConfigPath {
            do { rateLimits = try ClientRateLimitStore(path: path) } catch {
                throw DERPerStartupError(description: "\(error)")
            }
            configuration.clientRateLimit = rateLimits
        }
        // Client admission: -allow-keys-file, then -verify-client-url (DERPerRunner+Admission.swift).
        let allowList = try makeAllowList()
        configuration.admission = try makeAdmissionPolicy(allowList: allowList)
        let server = DERPServer(configuration: configuration, logger: logger)
        logger.notice("derper starting", metadata: [
            "version": "\(ToolkitVersion.string)", "server.key": "\(server.publicKey)",
            "listen": "\(options.effectiveListen)", "tls": "\(options.servesTLS)",
        ])

        let tlsStore = try options.servesTLS ? makeTLSStore(serverKey: privateKey.publicKey) : nil
        let group = MultiThreadedEventLoopGroup(numberOfThreads: ProcessorAffinity.usableCoreCount)

        var http = DERPHTTPConfiguration()
        http.derpEnabled = options.runDERP
        http.homePage = homePage
        http.hostname = options.hostname
        let started = Date()
        http.metricsText = { [registry] in
            PrometheusText.sortedByFamily(registry.emitToString() + ProcessMetrics.text(startedAt: started))
        }

        let listen = options.effectiveListen
        let limiter = ConnectionAdmissionLimiter(
            limits: .init(
                acceptRate: options.acceptConnectionLimit.isFinite ? options.acceptConnectionLimit : nil,
                acceptBurst: options.acceptConnectionBurst, maxConnections: options.maxConnections),
            logger: logger)
        var mainOptions = DERPListener.Options(host: listen.host ?? "::", port: listen.port, role: .main)
        mainOptions.limiter = limiter
        mainOptions.tcpKeepAliveIdle = options.tcpKeepAliveTime
        mainOptions.tcpUserTimeout = options.tcpUserTimeout
        if let store = tlsStore {
            mainOptions.tlsContext = { store.context }
        }
        var listeners = [DERPServerService.Listener(options: mainOptions, http: http)]
        if let metricsListen = options.metricsListen {
            let metrics = DERPListener.Options(host: metricsListen.host ?? "::", port: metricsListen.port, role: .metrics)
            listeners.append(DERPServerService.Listener(options: metrics, http: http))
        }
        if let httpListen = options.httpListen {
            let redirect = DERPListener.Options(host: httpListen.host ?? "::", port: httpListen.port, role: .httpRedirect)
            listeners.append(DERPServerService.Listener(options: redirect, http: http))
        }
        let derpService = DERPServerService(
            server: server, listeners: listeners, group: group, drainTimeout: options.drainTimeout
        ) { [logger, self] _ in
            writeDERPMapFile()
            if SystemdNotifier.notify("READY=1") { logger.info("notified systemd: ready") }
        }
        var services: [any Service] = [derpService]
        // STUN (UDP) on -a's IP, or on every local address when -a has none (as the reference).
        if let stun = options.stunListen {
            let configuration = STUNServerConfiguration(
                host: stun.host, port: stun.port, strict: options.stunStrict,
                alternatePort: options.stunAltPort, alternateAddress: options.stunAltAddress)
            services.append(STUNServerService(configuration: configuration, group: group, logger: logger))
        }
        services.append(contentsOf: try makeMeshLinks(server: server, group: group))
        if let store = tlsStore {
            services.append(CertificateReloadService(store: store, logger: logger))
        }
        if let rateLimits {
            services.append(SIGHUPReloadService(name: "rate config", logger: logger) { try rateLimits.reload() })
        }
        if let allowList {
            services.append(AllowListReloadService(policy: allowList, logger: logger))
        }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()
        SystemdNotifier.notify("STOPPING=1")
        try? await group.shutdownGracefully()
    }

    /// One mesh link per `-mesh-with` entry, each verifying its peer by TLS (system roots plus
    /// `-mesh-ca-file`, so IP-only nodes with generated certificates can mesh).
    private func makeMeshLinks(server: DERPServer, group: any EventLoopGroup) throws -> [any Service] {
        guard !options.meshWith.isEmpty else { return [] }
        var roots: [Certificate] = []
        if let path = options.meshCAFile {
            do { roots = try DERPTLSVerification.loadTrustRoots(pemFile: path) } catch {
                throw DERPerStartupError(description: "-mesh-ca-file: \(error.description)")
            }
        }
        let tls: DERPTLSClientContext
        do { tls = try DERPTLSClientContext(verification: .webPKI(additionalTrustRoots: roots)) } catch {
            throw DERPerStartupError(description: "mesh TLS: \(error.description)")
        }
        return options.meshWith.map { entry in
            let peer = DERPMeshClient.Peer(meshEntry: entry.host, dialHost: entry.dialHost)
            logger.info("meshing with peer", metadata: ["mesh.peer": "\(peer)"])
            return DERPMeshClient(server: server, peer: peer, tls: tls, group: group)
        }
    }

    private var homePage: DERPHTTPConfiguration.HomePage {
        switch options.home {
        case .builtIn: return .standard
        case .blank: return .blank
        case .redirect(let url): return .redirect(url.absoluteString)
        }
    }

    private func loadPrivateKey() throws -> NodePrivateKey {
        switch options.keySource {
        case .ephemeral:
            return NodePrivateKey.generate()
        case .file(let path):
            do {
                return try NodeKeyFile.loadOrCreate(path: path)
            } catch {
                throw DERPerStartupError(description: "server key: \(error.description)")
            }
        }
    }

    private func loadMeshKey() throws -> DERPMeshKey? {
        switch options.meshKeySource {
        case .none:
            return nil
        case .environment(let value):
            do { return try DERPMeshKey(text: value) } catch {
                throw DERPerStartupError(description: "TAILSCALE_DERPER_MESH_KEY: \(error.description)")
            }
        case .file(let path):
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw DERPerStartupError(description: "cannot read mesh key file \(path): \(error.localizedDescription)")
            }
            do { return try DERPMeshKey(text: text) } catch {
                throw DERPerStartupError(description: "mesh key file \(path): \(error.description)")
            }
        }
    }

    private func makeTLSStore(serverKey: NodePublicKey) throws -> TLSServerContextStore {
        guard options.certMode == .manual else {
            throw DERPerStartupError(description:
                "-certmode \(options.certMode.rawValue) (ACME) is not implemented by this derper; "
                + "use -certmode manual with -certdir holding HOSTNAME.crt/.key, or an IP -hostname to get a generated, pinned certificate")
        }
        let metacert: DERPMetaCertificate
        do { metacert = try DERPMetaCertificate.generate(serverKey: serverKey) } catch {
            throw DERPerStartupError(description: "cannot make the derpkey meta certificate: \(error.description)")
        }
        let store: TLSServerContextStore
        do {
            store = try TLSServerContextStore(manual: .init(directory: options.certDirectory, hostname: options.hostname, metacert: metacert))
        } catch {
            throw DERPerStartupError(description: "TLS certificate: \(error.description)")
        }
        if let loaded = store.loaded {
            if loaded.generated {
                logger.notice("generated a self-signed certificate", metadata: ["path": "\(loaded.files.certificatePath)"])
            }
            if case .ipAddress = loaded.hostname {
                printDERPMapSnippet(pin: loaded.pin.description)
            }
        }
        return store
    }

    /// For IP-only servers: the node and a whole one-region map to paste into a tailnet policy
    /// or Headscale, with the certificate pin (as the reference logs the node).
    private func printDERPMapSnippet(pin: String) {
        let listen = options.effectiveListen
        let isV6 = options.hostname.contains(":")
        let node = DERPNode(
            name: "900a", regionID: 900, hostName: options.hostname, certName: pin,
            ipv4: isV6 ? "none" : options.hostname, ipv6: isV6 ? options.hostname : "none",
            stunPort: options.runSTUN ? options.stunPort : -1, derpPort: listen.port == 443 ? 0 : listen.port)
        let map = DERPMap(regions: [DERPRegion(regionID: 900, regionCode: "custom", regionName: "Custom DERP", nodes: [node])])
        guard let nodeJSON = try? node.jsonData(format: .compact), let mapJSON = try? map.jsonString(format: .indented) else { return }
        logger.notice("DERP map node for this server: \(String(decoding: nodeJSON, as: UTF8.self))")
        let text = "DERP map for this server (tailnet policy \"derpMap\" regions, or --derp-map FILE for stunner and netprobe):\n" + mapJSON + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        mapForFile.withLockedValue { $0 = mapJSON + "\n" }
    }

    /// `-derp-map-out`: written once every listener is up, so the file's appearance means "ready".
    private func writeDERPMapFile() {
        guard let path = options.derpMapOut, let text = mapForFile.withLockedValue({ $0 }) else { return }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            logger.info("wrote DERP map", metadata: ["path": "\(path)"])
        } catch {
            logger.error("cannot write DERP map", metadata: ["path": "\(path)", "error": "\(error.localizedDescription)"])
        }
    }
}
