import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
    struct SelfSignedIPCertificateTests {
        private func writeGenerated(_ ip: String) throws -> (dir: String, files: CertificateFileNames, cert: SelfSignedIPCertificate) {
            let dir = try TLSTestSupport.temporaryDirectory()
            let cert = try SelfSignedIPCertificate.generate(ipAddress: ip)
            let files = CertificateFileNames(directory: dir + "/certs", hostname: ip)
            try cert.write(to: files)
            return (dir, files, cert)
        }

        @Test func hasTheRequiredFieldsAndExtensions() throws {
            let (dir, files, _) = try writeGenerated("127.0.0.1")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let text = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-text"]).text
            #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
            #expect(text.contains("prime256v1"))
            #expect(text.contains("CN = 127.0.0.1"))
            #expect(text.contains("O = derper self-signed"))
            #expect(text.contains("OU = node "))
            #expect(text.contains("X509v3 Basic Constraints: critical"))
            #expect(text.contains("CA:TRUE, pathlen:0"))
            #expect(text.contains("X509v3 Key Usage: critical"))
            #expect(text.contains("Digital Signature, Key Encipherment, Certificate Sign"))
            #expect(text.contains("TLS Web Server Authentication"))
            #expect(text.contains("IP Address:127.0.0.1"))
            #expect(text.contains("X509v3 Subject Key Identifier"))
            #expect(text.contains("X509v3 Authority Key Identifier"))
            // Issuer equals subject (self-signed).
            let subject = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-subject"]).text
            let issuer = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-issuer"]).text
            #expect(subject.dropFirst("subject=".count) == issuer.dropFirst("issuer=".count))
        }

        @Test func serialIsPositiveAndAtMost128Bits() throws {
            for _ in 0..<8 {
                let (dir, files, _) = try writeGenerated("10.0.0.1")
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let line = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-serial"]).text
                let hex = line.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count)
                #expect(!hex.isEmpty && hex.count <= 32, "serial \(hex)")
                #expect(hex != "00")
                let der = try TLSTestSupport.derOfPEMFile(files.certificatePath)
                // Serial INTEGER inside TBSCertificate: explicit [0] version (a0 03 02 01 02), then 02 len ...
                guard let versionEnd = findSubsequence([0xa0, 0x03, 0x02, 0x01, 0x02], in: der) else {
                    Issue.record("no v3 version field")
                    continue
                }
                let tag = der[versionEnd], length = Int(der[versionEnd + 1]), first = der[versionEnd + 2]
                #expect(tag == 0x02)
                #expect(length <= 17)
                #expect(first & 0x80 == 0, "serial must be positive")
            }
        }

        @Test func validityIsUnderAYearAndStartsInThePast() throws {
            let (dir, files, _) = try writeGenerated("192.0.2.7")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = files.certificatePath
            let day = 86_400
            #expect(try TLSTestSupport.openssl(["x509", "-in", path, "-noout", "-checkend", "\(364 * day - 300)"]).status == 0)
            #expect(try TLSTestSupport.openssl(["x509", "-in", path, "-noout", "-checkend", "\(364 * day)"]).status != 0)
            let verify = try TLSTestSupport.openssl(["verify", "-CAfile", path, path])
            #expect(verify.status == 0, "already valid now: \(verify.text)")
        }

        @Test func opensslAcceptsItAsARootForItsIPOnly() throws {
            let (dir, files, _) = try writeGenerated("127.0.0.1")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = files.certificatePath
            let good = try TLSTestSupport.openssl(["verify", "-CAfile", path, "-purpose", "sslserver", "-verify_ip", "127.0.0.1", path])
            #expect(good.status == 0, "\(good.text)")
            let bad = try TLSTestSupport.openssl(["verify", "-CAfile", path, "-purpose", "sslserver", "-verify_ip", "127.0.0.2", path])
            #expect(bad.status != 0)
        }

        @Test func ipv6AddressGoesIntoTheSAN() throws {
            let (dir, files, _) = try writeGenerated("2001:db8::1")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(files.certificatePath.hasSuffix("/2001db81.crt"))
            let text = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-text"]).text
            #expect(text.contains("IP Address:2001:DB8:0:0:0:0:0:1"))
        }

        @Test func filesHaveTheRightModesAndMatchingKey() throws {
            let (dir, files, cert) = try writeGenerated("198.51.100.3")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(try TLSTestSupport.fileMode(files.certificatePath) == 0o644)
            #expect(try TLSTestSupport.fileMode(files.keyPath) == 0o600)
            #expect(try TLSTestSupport.fileMode(files.directory) == 0o700)
            let keyText = try String(contentsOfFile: files.keyPath, encoding: .utf8)
            #expect(keyText.hasPrefix("-----BEGIN PRIVATE KEY-----"))
            #expect(keyText.hasSuffix("-----END PRIVATE KEY-----\n"))
            let certText = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
            #expect(certText.hasPrefix("-----BEGIN CERTIFICATE-----"))
            #expect(certText.hasSuffix("-----END CERTIFICATE-----\n"))
            let fromKey = try TLSTestSupport.openssl(["pkey", "-in", files.keyPath, "-pubout"]).text
            let fromCert = try TLSTestSupport.openssl(["x509", "-in", files.certificatePath, "-noout", "-pubkey"]).text
            #expect(!fromKey.isEmpty && fromKey == fromCert)
            #expect(try TLSTestSupport.derOfPEMFile(files.certificatePath) == cert.certificateDER)
        }

        @Test func twoCertificatesForOneIPHaveDistinctSubjects() throws {
            let first = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10")
            let second = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10")
            func subject(_ der: [UInt8]) throws -> String {
                try TLSTestSupport.openssl(["x509", "-inform", "DER", "-noout", "-subject"], input: Data(der)).text
            }
            let firstSubject = try subject(first.certificateDER)
            #expect(firstSubject.contains("CN = 203.0.113.10"))
            #expect(firstSubject != (try subject(second.certificateDER)))
            #expect(first.pin != second.pin)
        }

        @Test func rejectsNonIPHostnames() {
            for text in ["derp.example.com", "", "1.2.3", "fe80::1%eth0", "[::1]"] {
                #expect(throws: TLSSetupError.notAnIPAddress(text)) { try SelfSignedIPCertificate.generate(ipAddress: text) }
            }
        }

        private func findSubsequence(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
                return start + needle.count
            }
            return nil
        }
    }
}
