import SwiftASN1
import X509

/// Checks that a certificate is valid for a server name, with the rules of Go's
/// `(*x509.Certificate).VerifyHostname`, which the reference derper applies to its manual
/// certificate and Tailscale clients apply to a pinned one:
///
/// - an IP address matches an IP SAN with the same address (an IPv4-mapped IPv6 address equals
///   its IPv4 form), and nothing else;
/// - a DNS name matches a DNS SAN, ASCII case-insensitively, ignoring one trailing dot on either
///   side; a SAN whose first label is exactly `*` matches any single first label
///   (`*.example.com` matches `a.example.com`, not `example.com` or `a.b.example.com`);
/// - the subject CommonName is never consulted (Go stopped doing so in 1.15).
package enum CertificateHostnameMatcher {
    package struct Mismatch: Error, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    package static func verify(_ certificate: Certificate, for name: TLSServerName) throws(Mismatch) {
        let names: SubjectAlternativeNames
        do {
            names = try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames()
        } catch {
            throw Mismatch(reason: "its subjectAltName extension cannot be parsed: \(error)")
        }
        switch name {
        case .ipAddress(let text, let bytes):
            let wanted = canonicalIP(bytes)
            for case .ipAddress(let san) in names where canonicalIP(Array(san.bytes)) == wanted { return }
            throw Mismatch(reason: "no IP SAN equals \(text) (SANs: \(describe(names)))")
        case .dnsName(let host):
            let wanted = labels(host)
            for case .dnsName(let pattern) in names where matches(pattern: labels(pattern), host: wanted) {
                return
            }
            throw Mismatch(reason: "no DNS SAN matches \(host) (SANs: \(describe(names)))")
        }
    }

    package static func isValid(_ certificate: Certificate, for name: TLSServerName) -> Bool {
        do {
            try verify(certificate, for: name)
            return true
        } catch {
            return false
        }
    }

    /// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) compares equal to IPv4, as Go's `net.IP.Equal` has it.
    private static func canonicalIP(_ bytes: [UInt8]) -> [UInt8] {
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
        if bytes.count == 16, Array(bytes.prefix(12)) == mappedPrefix { return Array(bytes.suffix(4)) }
        return bytes
    }

    /// Lower-cased labels with one trailing dot removed.
    private static func labels(_ name: String) -> [Substring] {
        var lowered = Substring(String(decoding: name.utf8.map(lowerASCII), as: UTF8.self))
        if lowered.hasSuffix(".") { lowered = lowered.dropLast() }
        return lowered.split(separator: ".", omittingEmptySubsequences: false)
    }

    private static func matches(pattern: [Substring], host: [Substring]) -> Bool {
        guard !host.isEmpty, pattern.count == host.count, !host.contains(where: \.isEmpty) else { return false }
        for (index, label) in pattern.enumerated() {
            if index == 0, label == "*" { continue }
            guard label == host[index] else { return false }
        }
        return true
    }

    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func describe(_ names: SubjectAlternativeNames) -> String {
        guard !names.isEmpty else { return "none" }
        return names.map { name -> String in
            switch name {
            case .dnsName(let dns): return "DNS:\(dns)"
            case .ipAddress(let ip): return "IP:\(formatIP(Array(ip.bytes)))"
            default: return "\(name)"
            }
        }.joined(separator: ", ")
    }

    private static func formatIP(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") }
        guard bytes.count == 16 else { return Hex.encode(bytes) }
        return stride(from: 0, to: 16, by: 2).map { index in
            String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
        }.joined(separator: ":")
    }
}
