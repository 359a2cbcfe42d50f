import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The "meta certificate" a DERP server appends after its real chain, carrying its node public key
/// and protocol version so that a TLS 1.3 client can skip waiting for the HTTP 101 ("fast start").
/// spec/derp.md §3.2; tailscale/tailscale derp/derpserver/derpserver.go `initMetacert`.
///
/// | field | value |
/// | --- | --- |
/// | key | a fresh Ed25519 key, otherwise unused |
/// | Subject (= Issuer) CN | `derpkey` + 64 lower-case hex digits of the server's node public key |
/// | serial number | the DERP protocol version, 2 |
/// | validity | now − 30 days … now + 30 days, fixed when made |
/// | BasicConstraints | present, not a CA (macOS wants it when subject == issuer) |
///
/// Nothing verifies it: it is self-signed by a throwaway key and clients only read the CN and serial.
package struct DERPMetaCertificate: Sendable {
    package static let commonNamePrefix = "derpkey"
    /// `derp.ProtocolVersion` in the reference.
    package static let protocolVersion: UInt8 = 2
    package static let halfValidity: TimeInterval = 30 * 24 * 60 * 60

    /// What a client learns from a metacert.
    package struct Identity: Hashable, Sendable {
        package var serverKey: NodePublicKey
        package var protocolVersion: UInt8
    }

    package let certificate: Certificate
    package let derBytes: [UInt8]
    /// The same certificate for NIOSSL, ready to append to a server chain.
    package let sslCertificate: NIOSSLCertificate

    /// Makes the metacert for `serverKey`.
    package static func generate(
        serverKey: NodePublicKey,
        protocolVersion: UInt8 = Self.protocolVersion,
        now: Date = Date()
    ) throws(TLSSetupError) -> Self {
        try make(commonName: commonNamePrefix + serverKey.hexString, serialNumber: [protocolVersion], now: now)
    }

    /// Any CN and serial (big-endian magnitude); `generate` is the only production caller, tests
    /// use it for malformed variants. Note the CN is 71 characters, over X.520's 64-character
    /// bound for commonName; Go does not enforce that bound and neither do BoringSSL or
    /// swift-certificates when reading, but `openssl req` refuses to make such a name.
    static func make(commonName: String, serialNumber: [UInt8], now: Date) throws(TLSSetupError) -> Self {
        let signingKey = Certificate.PrivateKey(Curve25519.Signing.PrivateKey())
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(bytes: serialNumber),
                publicKey: signingKey.publicKey,
                notValidBefore: now.addingTimeInterval(-halfValidity),
                notValidAfter: now.addingTimeInterval(halfValidity),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ed25519,
                extensions: extensions,
                issuerPrivateKey: signingKey
            )
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            let der = serializer.serializedBytes
            let ssl = try NIOSSLCertificate(bytes: der, format: .der)
            return Self(certificate: certificate, derBytes: der, sslCertificate: ssl)
        } catch {
            throw .generationFailed(reason: "metacert: \(error)")
        }
    }

    /// Looks through the certificates a server presented (DER, in order) for a metacert, as a
    /// Tailscale client does: the first certificate whose subject CN starts with `derpkey`, whose
    /// remainder is 64 hex digits, and whose serial number fits in 8 bits. Certificates that do not
    /// parse are skipped. Returns nil when there is none; the caller then simply waits for the 101.
    ///
    /// Tailscale only looks when TLS 1.3 was negotiated (before 1.3, certificates travel in clear,
    /// and a middlebox may have rewritten them); that check is the caller's, who knows the version.
    package static func identity(inPresentedCertificates presented: [[UInt8]]) -> Identity? {
        for der in presented {
            guard let certificate = try? Certificate(derEncoded: der),
                let commonName = commonName(of: certificate),
                commonName.hasPrefix(commonNamePrefix),
                let key = try? NodePublicKey(hex: commonName.dropFirst(commonNamePrefix.count)),
                let version = version(fromSerial: certificate.serialNumber)
            else { continue }
            return Identity(serverKey: key, protocolVersion: version)
        }
        return nil
    }

    /// The subject's CommonName; with several, the last, as Go's `pkix.Name` keeps it.
    package static func commonName(of certificate: Certificate) -> String? {
        var found: String?
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                found = String(attribute.value)
            }
        }
        return found
    }

    /// A serial of at most 8 significant bits (0…255), as Go's `SerialNumber.BitLen() <= 8` check.
    /// swift-certificates keeps a serial as its unsigned big-endian magnitude.
    private static func version(fromSerial serial: Certificate.SerialNumber) -> UInt8? {
        let significant = serial.bytes.drop(while: { $0 == 0 })
        guard significant.count <= 1 else { return nil }
        return significant.first ?? 0
    }
}
