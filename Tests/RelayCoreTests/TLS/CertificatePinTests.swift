import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite struct CertificatePinTests {
        @Test(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
        func pinEqualsOpenSSLDERThroughSha256sum() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let loaded = try CertificateLoader.loadManual(directory: dir, hostname: "203.0.113.10")
            let line = try TLSTestSupport.shell("openssl x509 -in '\(loaded.files.certificatePath)' -outform DER | sha256sum")
            let expected = String(line.prefix(64))
            #expect(loaded.pin.hexDigest == expected)
            #expect(loaded.pin.description == "sha256-raw:" + expected)
            #expect(try CertificatePin(text: "sha256-raw:" + expected) == loaded.pin)
        }

        @Test func knownDigest() throws {
            // SHA-256 of the empty input, to pin the encoding: lower-case hex, 64 digits.
            let pin = CertificatePin(certificateDER: [])
            #expect(pin.description == "sha256-raw:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(pin.matches(certificateDER: []))
            #expect(!pin.matches(certificateDER: [0]))
        }

        @Test(arguments: [
            "sha256-raw:",
            "sha256-raw:e3b0",
            "sha256-raw:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256-raw:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
            "sha256-raw:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ])
        func malformedPinsAreRejected(text: String) {
            #expect(throws: TLSSetupError.self) { try CertificatePin(text: text) }
        }

        @Test func certNameChoosesTheVerificationMode() throws {
            let pinText = "sha256-raw:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            guard case .pinned(let pin) = try DERPTLSVerification(certName: pinText) else {
                Issue.record("expected a pin")
                return
            }
            #expect(pin.description == pinText)
            guard case .certName(let name, let roots) = try DERPTLSVerification(certName: "derp.example.com") else {
                Issue.record("expected a CertName")
                return
            }
            #expect(name == .dnsName("derp.example.com"))
            #expect(roots.isEmpty)
            guard case .webPKI = try DERPTLSVerification(certName: "") else {
                Issue.record("expected WebPKI")
                return
            }
            guard case .insecureForTests = try DERPTLSVerification(certName: pinText, insecureForTests: true) else {
                Issue.record("InsecureForTests wins")
                return
            }
            #expect(throws: TLSSetupError.self) { try DERPTLSVerification(certName: "sha256-raw:ABC") }
            #expect(throws: TLSSetupError.self) { try DERPTLSVerification(certName: "bad name") }
        }
    }
}
