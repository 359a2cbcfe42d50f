import SwiftASN1
import Foundation
import NIOSSL
import X509

/// Loads the certificate for `-certmode manual` (spec/derp.md §3.1; tailscale/tailscale
/// cmd/derper/cert.go `NewManualCertManager`):
///
/// 1. The files are `<certdir>/<name>.crt` (PEM chain, leaf first) and `<certdir>/<name>.key`
///    (PEM key: PKCS#8, SEC1 `EC PRIVATE KEY` or PKCS#1 RSA), named by ``CertificateFileNames``.
/// 2. If both are missing and the hostname is an IP literal, a ``SelfSignedIPCertificate`` is
///    generated and written. For a DNS hostname nothing is generated: that is a fatal error naming
///    the expected paths. If only one of the two exists we stop too, rather than overwrite it
///    (Go regenerates both in that case).
/// 3. The leaf must be valid for the hostname, or loading fails, as in Go (`VerifyHostname`).
/// 4. The key must match the leaf; NIOSSL checks that when we build a context from them.
///
/// Reads files synchronously: call it at startup or from a service, never on an event loop.
package enum CertificateLoader {
    /// A loaded certificate chain and key, ready for ``DERPTLSConfiguration``.
    package struct Loaded: Sendable {
        package let hostname: TLSServerName
        package let files: CertificateFileNames
        /// Leaf first, then any intermediates, as in the file.
        package let chain: [NIOSSLCertificate]
        package let privateKey: NIOSSLPrivateKey
        package let leaf: Certificate
        package let leafDER: [UInt8]
        /// True when this call generated the files (IP hostname, no files before).
        package let generated: Bool

        /// The pin to give clients: `CertName: "sha256-raw:…"`.
        package var pin: CertificatePin { CertificatePin(certificateDER: leafDER) }

        /// The SNI the server should insist on, as the reference does in manual mode: the
        /// hostname for a DNS name; nil (any or no SNI) for an IP address.
        package var requiredServerName: String? { hostname.sniValue }
    }

    /// Loads `<directory>/<name>.crt` and `.key` for `hostname`, generating them for an IP
    /// hostname when both are missing and `generateIfMissing` is true. A reload (SIGHUP) passes
    /// false, so a deleted file is an error instead of a silently changed pin.
    package static func loadManual(
        directory: String,
        hostname: String,
        generateIfMissing: Bool = true,
        now: Date = Date()
    ) throws(TLSSetupError) -> Loaded {
        let name = try TLSServerName(hostname)
        let files = CertificateFileNames(directory: directory, hostname: hostname)
        let haveCertificate = FileManager.default.fileExists(atPath: files.certificatePath)
        let haveKey = FileManager.default.fileExists(atPath: files.keyPath)
        var generated = false
        switch (haveCertificate, haveKey) {
        case (true, true):
            break
        case (false, false):
            guard case .ipAddress = name, generateIfMissing else {
                throw .certificateFilesMissing(
                    hostname: hostname, certificatePath: files.certificatePath, keyPath: files.keyPath)
            }
            try SelfSignedIPCertificate.generate(ipAddress: hostname, now: now).write(to: files)
            generated = true
        case (true, false):
            throw .certificateFileMissing(missingPath: files.keyPath, presentPath: files.certificatePath)
        case (false, true):
            throw .certificateFileMissing(missingPath: files.certificatePath, presentPath: files.keyPath)
        }
        return try load(files: files, hostname: name, generated: generated)
    }

    private static func load(
        files: CertificateFileNames,
        hostname: TLSServerName,
        generated: Bool
    ) throws(TLSSetupError) -> Loaded {
        let chain = try readChain(path: files.certificatePath)
        let privateKey = try readKey(path: files.keyPath)
        let leafDER: [UInt8]
        let leaf: Certificate
        do {
            leafDER = try chain[0].toDERBytes()
            leaf = try Certificate(derEncoded: leafDER)
        } catch {
            throw .invalidCertificateFile(path: files.certificatePath, reason: "first certificate does not parse: \(error)")
        }
        do throws(CertificateHostnameMatcher.Mismatch) {
            try CertificateHostnameMatcher.verify(leaf, for: hostname)
        } catch {
            throw .certificateNotValidForHostname(path: files.certificatePath, hostname: hostname.text, reason: error.reason)
        }
        do {
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey)))
        } catch {
            throw .invalidPrivateKeyFile(
                path: files.keyPath,
                reason: "cannot be used with the certificate in \(files.certificatePath); it probably does not match it (\(error))")
        }
        return Loaded(
            hostname: hostname, files: files, chain: chain, privateKey: privateKey,
            leaf: leaf, leafDER: leafDER, generated: generated)
    }

    private static func readBytes(path: String) throws(TLSSetupError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .fileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }

    private static func readChain(path: String) throws(TLSSetupError) -> [NIOSSLCertificate] {
        let bytes = try readBytes(path: path)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw .invalidCertificateFile(path: path, reason: "\(error)")
        }
        guard !chain.isEmpty else {
            throw .invalidCertificateFile(path: path, reason: "no \"-----BEGIN CERTIFICATE-----\" block found")
        }
        return chain
    }

    private static func readKey(path: String) throws(TLSSetupError) -> NIOSSLPrivateKey {
        let bytes = try readBytes(path: path)
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw .invalidPrivateKeyFile(path: path, reason: "\(error)")
        }
    }
}
