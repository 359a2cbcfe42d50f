import Foundation
import NIOCore
import NIOSSL
import RelayCore

/// Where the load goes: host, port and the certificate pin, read from the one-region DERP map derper writes
/// with `-derp-map-out` (its `CertName: "sha256-raw:…"`), so the generator verifies derper the way tailscaled does.
struct BenchTarget: Sendable {
    var host: String
    var port: Int
    var stunPort: Int?
    var pin: [UInt8]?
    let tls: NIOSSLContext

    init(host: String, port: Int, stunPort: Int? = nil, pin: [UInt8]?) throws {
        self.host = host
        self.port = port
        self.stunPort = stunPort
        self.pin = pin
        var configuration = TLSConfiguration.makeClientConfiguration()
        // With a pin, our callback replaces chain verification (spec/derp.md 3.4); without one, trust anything.
        configuration.certificateVerification = pin == nil ? .none : .noHostnameVerification
        tls = try NIOSSLContext(configuration: configuration)
    }

    init(derpMapPath: String) throws {
        let map = try DERPMap(contentsOfFile: derpMapPath)
        guard let node = map.sortedRegions.first?.nodes.first(where: { !$0.stunOnly }) else {
            throw BenchError.setup("\(derpMapPath) has no DERP node")
        }
        let host = node.ipv4.isEmpty || node.ipv4 == "none" ? node.hostName : node.ipv4
        try self.init(host: host, port: node.effectiveDERPPort, stunPort: node.effectiveSTUNPort,
                      pin: node.pinnedCertificateSHA256)
    }

    /// The same target reached through another port (the TLS proxy of reference mode).
    func via(port: Int) throws -> BenchTarget {
        try BenchTarget(host: host, port: port, stunPort: stunPort, pin: pin)
    }

    func makeTLSHandler() throws -> NIOSSLClientHandler {
        guard let pin else { return try NIOSSLClientHandler(context: tls, serverHostname: nil) }
        return try NIOSSLClientHandler(context: tls, serverHostname: nil) { certificates, promise in
            // The leaf comes first; derper's meta certificate, if any, follows it.
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes(),
                BenchKeyPair.sha256(der) == pin
            else { return promise.succeed(.failed) }
            promise.succeed(.certificateVerified)
        }
    }

    /// A TLS server context for the reference sink, from the certificate derper generated.
    static func serverContext(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }
}
