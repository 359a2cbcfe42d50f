import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite struct PinnedCertificateVerifierTests {
        let leaf: SelfSignedIPCertificate
        let metacert: DERPMetaCertificate

        init() throws {
            leaf = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10")
            metacert = try DERPMetaCertificate.generate(serverKey: TLSTestSupport.serverKey())
        }

        private var ip: TLSServerName { .ipAddress(text: "203.0.113.10", bytes: [203, 0, 113, 10]) }

        @Test func rightPinPasses() throws {
            try PinnedCertificateVerifier.verify(presented: [leaf.certificateDER], pin: leaf.pin, serverName: ip)
            try PinnedCertificateVerifier.verify(presented: [leaf.certificateDER], pin: leaf.pin, serverName: nil)
        }

        @Test func wrongPinFails() throws {
            let other = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10")
            let error = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(presented: [leaf.certificateDER], pin: other.pin, serverName: ip)
            }
            #expect(error?.reason.hasPrefix("cert hash does not match expected cert hash") == true)
        }

        @Test func metacertIsSkippedWhereverItIs() throws {
            try PinnedCertificateVerifier.verify(presented: [leaf.certificateDER, metacert.derBytes], pin: leaf.pin, serverName: ip)
            try PinnedCertificateVerifier.verify(presented: [metacert.derBytes, leaf.certificateDER], pin: leaf.pin, serverName: ip)
        }

        @Test func twoNonMetaCertificatesFail() throws {
            let other = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10")
            let error = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(
                    presented: [leaf.certificateDER, other.certificateDER, metacert.derBytes], pin: leaf.pin, serverName: ip)
            }
            #expect(error?.reason.hasPrefix("unexpected multiple certs presented") == true)
        }

        @Test func onlyAMetacertFails() {
            let error = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(presented: [metacert.derBytes], pin: leaf.pin, serverName: ip)
            }
            #expect(error?.reason == "expected cert not presented")
            #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(presented: [], pin: leaf.pin, serverName: ip)
            }
        }

        @Test func dialedNameMustMatch() throws {
            let error = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(
                    presented: [leaf.certificateDER], pin: leaf.pin, serverName: try TLSServerName("203.0.113.11"))
            }
            #expect(error?.reason.hasPrefix("cert does not match server name \"203.0.113.11\"") == true)
            #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(
                    presented: [leaf.certificateDER], pin: leaf.pin, serverName: try TLSServerName("derp.example.com"))
            }
        }

        @Test func validityWindowIsEnforced() throws {
            let old = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10", now: Date(timeIntervalSinceNow: -400 * 86_400))
            let expired = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(presented: [old.certificateDER], pin: old.pin, serverName: ip)
            }
            #expect(expired?.reason.hasPrefix("cert expired") == true)
            let future = #expect(throws: PinnedCertificateVerifier.Failure.self) {
                try PinnedCertificateVerifier.verify(
                    presented: [leaf.certificateDER], pin: leaf.pin, serverName: ip, now: Date(timeIntervalSinceNow: -3600))
            }
            #expect(future?.reason.contains("is your clock correct?") == true)
        }

        @Test func garbageNeverTraps() {
            for junk in [[UInt8](), [0x30], [0x30, 0x82, 0xff, 0xff], Array(repeating: 0xff, count: 100)] {
                #expect(throws: PinnedCertificateVerifier.Failure.self) {
                    try PinnedCertificateVerifier.verify(presented: [junk], pin: leaf.pin, serverName: ip)
                }
            }
        }
    }
}
