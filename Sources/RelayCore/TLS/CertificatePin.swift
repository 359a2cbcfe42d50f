import Crypto

/// A `sha256-raw:` pin: the SHA-256 of one certificate's full DER encoding, as a `DERPNode.CertName`
/// carries it (spec/derp.md §3.4; tailscale/tailscale cmd/derper/cert.go prints it,
/// net/tlsdial `SetConfigExpectedCertHash` checks it).
///
/// Text form: `sha256-raw:` + 64 lower-case hex digits. The same digits as
/// `openssl x509 -in cert.pem -outform DER | sha256sum`.
package struct CertificatePin: Hashable, Sendable, CustomStringConvertible {
    package static let prefix = "sha256-raw:"

    /// The 32-byte digest.
    package let digest: [UInt8]

    /// The pin of a DER-encoded certificate.
    package init(certificateDER: some Sequence<UInt8>) {
        digest = Array(SHA256.hash(data: Array(certificateDER)))
    }

    /// Parses `sha256-raw:<64 hex>`.
    ///
    /// Go compares the lower-case hex string exactly, so an upper-case pin is accepted by Go's
    /// parser but never matches any certificate. We reject it here with an explanation instead
    /// of failing every handshake later.
    package init(text: String) throws(TLSSetupError) {
        guard text.hasPrefix(Self.prefix) else {
            throw .invalidCertName(text, reason: "a pin must start with \"\(Self.prefix)\"")
        }
        let hex = text.dropFirst(Self.prefix.count)
        guard hex.utf8.count == 64 else {
            throw .invalidCertName(text, reason: "expected 64 hex digits after \"\(Self.prefix)\", found \(hex.utf8.count)")
        }
        guard hex.utf8.allSatisfy(Self.isLowerHexDigit), let bytes = Hex.decode(hex) else {
            throw .invalidCertName(
                text, reason: "the digest must be lower-case hex digits only (Tailscale clients compare it as a string)")
        }
        digest = bytes
    }

    /// 64 lower-case hex digits.
    package var hexDigest: String { Hex.encode(digest) }

    /// `sha256-raw:` + 64 lower-case hex digits.
    package var description: String { Self.prefix + hexDigest }

    /// Whether `certificateDER` is the pinned certificate.
    package func matches(certificateDER: some Sequence<UInt8>) -> Bool {
        CertificatePin(certificateDER: certificateDER) == self
    }

    private static func isLowerHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
