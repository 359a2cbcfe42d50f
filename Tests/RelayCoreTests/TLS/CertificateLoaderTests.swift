import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
    struct CertificateLoaderTests {
        @Test func generatesForAnIPThenReloadsWithoutRegenerating() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let first = try CertificateLoader.loadManual(directory: dir + "/certs", hostname: "127.0.0.1")
            #expect(first.generated)
            #expect(first.chain.count == 1)
            #expect(first.requiredServerName == nil)
            let files = CertificateFileNames(directory: dir + "/certs", hostname: "127.0.0.1")
            #expect(FileManager.default.fileExists(atPath: files.certificatePath))
            #expect(FileManager.default.fileExists(atPath: files.keyPath))
            let before = try Data(contentsOf: URL(fileURLWithPath: files.certificatePath))

            let second = try CertificateLoader.loadManual(directory: dir + "/certs", hostname: "127.0.0.1")
            #expect(!second.generated)
            #expect(second.leafDER == first.leafDER)
            #expect(second.pin == first.pin)
            #expect(try Data(contentsOf: URL(fileURLWithPath: files.certificatePath)) == before)
        }

        @Test func ipv6HostnameUsesTheColonFreeFileName() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let loaded = try CertificateLoader.loadManual(directory: dir, hostname: "2001:db8::1")
            #expect(loaded.files.certificatePath == dir + "/2001db81.crt")
            #expect(FileManager.default.fileExists(atPath: dir + "/2001db81.key"))
        }

        @Test func dnsHostnameWithoutFilesIsAClearError() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let expected = TLSSetupError.certificateFilesMissing(
                hostname: "derp.example.com",
                certificatePath: dir + "/derp.example.com.crt",
                keyPath: dir + "/derp.example.com.key")
            #expect(throws: expected) { try CertificateLoader.loadManual(directory: dir, hostname: "derp.example.com") }
            #expect(expected.description.contains(dir + "/derp.example.com.crt"))
            #expect(expected.description.contains(dir + "/derp.example.com.key"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/derp.example.com.crt"))
        }

        @Test func reloadDoesNotGenerate() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(throws: TLSSetupError.self) {
                try CertificateLoader.loadManual(directory: dir, hostname: "10.1.2.3", generateIfMissing: false)
            }
        }

        @Test func oneMissingFileIsAnErrorAndNothingIsOverwritten() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            _ = try CertificateLoader.loadManual(directory: dir, hostname: "10.1.2.3")
            let files = CertificateFileNames(directory: dir, hostname: "10.1.2.3")
            try FileManager.default.removeItem(atPath: files.keyPath)
            #expect(throws: TLSSetupError.certificateFileMissing(missingPath: files.keyPath, presentPath: files.certificatePath)) {
                try CertificateLoader.loadManual(directory: dir, hostname: "10.1.2.3")
            }
            #expect(!FileManager.default.fileExists(atPath: files.keyPath))
        }

        @Test func loadsAnOpenSSLCertificateWithSEC1KeyForADNSName() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let made = try TLSTestSupport.makeOpenSSLCertificate(
                directory: dir, baseName: "derp.example.test", subject: "/CN=derp.example.test",
                subjectAltName: "DNS:derp.example.test")
            #expect(try String(contentsOfFile: made.keyPath, encoding: .utf8).hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
            let loaded = try CertificateLoader.loadManual(directory: dir, hostname: "derp.example.test")
            #expect(!loaded.generated)
            #expect(loaded.requiredServerName == "derp.example.test")
            #expect(loaded.leafDER == (try TLSTestSupport.derOfPEMFile(made.certificatePath)))
        }

        @Test func wildcardCertificateCoversOneLabel() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let made = try TLSTestSupport.makeOpenSSLCertificate(
                directory: dir, baseName: "wild", subject: "/CN=wild", subjectAltName: "DNS:*.example.test")
            for host in ["derp1.example.test", "DERP2.Example.Test"] {
                try FileManager.default.copyItem(atPath: made.certificatePath, toPath: "\(dir)/\(host).crt")
                try FileManager.default.copyItem(atPath: made.keyPath, toPath: "\(dir)/\(host).key")
                _ = try CertificateLoader.loadManual(directory: dir, hostname: host)
            }
            for host in ["a.b.example.test", "example.test"] {
                try FileManager.default.copyItem(atPath: made.certificatePath, toPath: "\(dir)/\(host).crt")
                try FileManager.default.copyItem(atPath: made.keyPath, toPath: "\(dir)/\(host).key")
                let error = #expect(throws: TLSSetupError.self) { try CertificateLoader.loadManual(directory: dir, hostname: host) }
                guard case .certificateNotValidForHostname(_, host, _) = error else {
                    Issue.record("unexpected \(String(describing: error))")
                    continue
                }
            }
        }

        @Test func certificateForAnotherHostnameIsRejected() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let generated = try SelfSignedIPCertificate.generate(ipAddress: "10.0.0.1")
            try generated.write(to: CertificateFileNames(directory: dir, hostname: "10.0.0.2"))
            let error = #expect(throws: TLSSetupError.self) { try CertificateLoader.loadManual(directory: dir, hostname: "10.0.0.2") }
            if case .certificateNotValidForHostname(let path, "10.0.0.2", let reason) = error {
                #expect(path.hasSuffix("10.0.0.2.crt"))
                #expect(reason.contains("10.0.0.1"))
            } else {
                Issue.record("unexpected \(String(describing: error))")
            }
            // CommonName alone never counts, as in Go.
            _ = try TLSTestSupport.makeOpenSSLCertificate(
                directory: dir, baseName: "cn.example.test", subject: "/CN=cn.example.test", subjectAltName: "DNS:other.example.test")
            #expect(throws: TLSSetupError.self) { try CertificateLoader.loadManual(directory: dir, hostname: "cn.example.test") }
        }

        @Test func garbageFilesGiveClearErrorsNotTraps() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let files = CertificateFileNames(directory: dir, hostname: "10.9.9.9")
            let good = try SelfSignedIPCertificate.generate(ipAddress: "10.9.9.9")
            let cases: [(certificate: String, key: String)] = [
                ("not a certificate", good.privateKeyPEM),
                ("", good.privateKeyPEM),
                ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", good.privateKeyPEM),
                (try good.certificatePEM(), "not a key"),
                (try good.certificatePEM(), try SelfSignedIPCertificate.generate(ipAddress: "10.9.9.9").privateKeyPEM),
            ]
            for (index, contents) in cases.enumerated() {
                try Data(contents.certificate.utf8).write(to: URL(fileURLWithPath: files.certificatePath))
                try Data(contents.key.utf8).write(to: URL(fileURLWithPath: files.keyPath))
                let error = #expect(throws: TLSSetupError.self) { try CertificateLoader.loadManual(directory: dir, hostname: "10.9.9.9") }
                switch error {
                case .invalidCertificateFile(let path, _)?:
                    #expect(path == files.certificatePath && index < 3, "case \(index)")
                case .invalidPrivateKeyFile(let path, let reason)?:
                    #expect(path == files.keyPath && (index == 3 || (index == 4 && reason.contains("does not match it"))), "case \(index): \(reason)")
                default:
                    Issue.record("case \(index): unexpected \(String(describing: error))")
                }
            }
            // The files were left alone: we never generate over an operator's files.
            #expect(try String(contentsOfFile: files.keyPath, encoding: .utf8) == cases[4].key)
        }

        @Test func invalidHostnamesAreRejectedUpFront() {
            for hostname in ["", "derp.example.com:443", "bad host"] {
                #expect(throws: TLSSetupError.self) { try CertificateLoader.loadManual(directory: "/nonexistent", hostname: hostname) }
            }
        }
    }
}
