import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
    struct CertificateHostnameMatcherTests {
        @Test func followsGoVerifyHostname() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let made = try TLSTestSupport.makeOpenSSLCertificate(
                directory: dir, baseName: "multi", subject: "/CN=cn-only.example.net",
                subjectAltName: "DNS:*.example.test,DNS:exact.example.org,IP:192.0.2.1,IP:2001:db8::5")
            let certificate = try #require(try DERPTLSVerification.loadTrustRoots(pemFile: made.certificatePath).first)
            let matching = [
                "a.example.test", "A.EXAMPLE.TEST.", "exact.example.org", "Exact.Example.Org",
                "192.0.2.1", "::ffff:192.0.2.1", "2001:db8:0:0::5", "2001:DB8::5",
            ]
            for name in matching {
                #expect(CertificateHostnameMatcher.isValid(certificate, for: try TLSServerName(name)), "\(name)")
            }
            let failing = [
                "example.test", "a.b.example.test", "exact.example.org.evil", "x.exact.example.org",
                "192.0.2.2", "2001:db8::6", "cn-only.example.net", "test",
            ]
            for name in failing {
                #expect(!CertificateHostnameMatcher.isValid(certificate, for: try TLSServerName(name)), "\(name)")
            }
        }

        @Test func trustRootBundlesAreCheckedStrictly() throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let first = try SelfSignedIPCertificate.generate(ipAddress: "192.0.2.1")
            let second = try SelfSignedIPCertificate.generate(ipAddress: "192.0.2.2")
            let bundle = dir + "/bundle.pem"
            try Data((try first.certificatePEM() + second.certificatePEM()).utf8).write(to: URL(fileURLWithPath: bundle))
            #expect(try DERPTLSVerification.loadTrustRoots(pemFile: bundle).count == 2)

            for (name, contents) in [("empty.pem", ""), ("junk.pem", "hello"), ("key.pem", first.privateKeyPEM)] {
                let path = dir + "/" + name
                try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
                #expect(throws: TLSSetupError.self) { try DERPTLSVerification.loadTrustRoots(pemFile: path) }
            }
            #expect(throws: TLSSetupError.self) { try DERPTLSVerification.loadTrustRoots(pemFile: dir + "/missing.pem") }
        }
    }
}
