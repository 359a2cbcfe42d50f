import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    @Suite struct DERPMetaCertificateTests {
        @Test func roundTripGivesKeyAndVersion2() throws {
            let key = try TLSTestSupport.serverKey()
            let metacert = try DERPMetaCertificate.generate(serverKey: key)
            let identity = DERPMetaCertificate.identity(inPresentedCertificates: [metacert.derBytes])
            #expect(identity == DERPMetaCertificate.Identity(serverKey: key, protocolVersion: 2))
            #expect(DERPMetaCertificate.commonName(of: metacert.certificate) == "derpkey" + key.hexString)
        }

        @Test func foundAfterTheRealChainAndSkipsOthers() throws {
            let key = try TLSTestSupport.serverKey(9)
            let leaf = try SelfSignedIPCertificate.generate(ipAddress: "192.0.2.1")
            let metacert = try DERPMetaCertificate.generate(serverKey: key)
            let identity = DERPMetaCertificate.identity(inPresentedCertificates: [leaf.certificateDER, [0x30, 0x00], metacert.derBytes])
            #expect(identity?.serverKey == key)
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [leaf.certificateDER]) == nil)
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: []) == nil)
        }

        @Test func versionMustFitIn8Bits() throws {
            let key = try TLSTestSupport.serverKey()
            let v255 = try DERPMetaCertificate.generate(serverKey: key, protocolVersion: 255)
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [v255.derBytes])?.protocolVersion == 255)
        }

        @Test(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
        func fieldsAsOpenSSLSeesThem() throws {
            let key = try TLSTestSupport.serverKey()
            let metacert = try DERPMetaCertificate.generate(serverKey: key)
            let text = try TLSTestSupport.openssl(["x509", "-inform", "DER", "-noout", "-text"], input: Data(metacert.derBytes)).text
            #expect(text.contains("Serial Number: 2 (0x2)"))
            #expect(text.contains("CN = derpkey" + key.hexString))
            #expect(text.contains("ED25519"))
            #expect(text.contains("X509v3 Basic Constraints: critical"))
            #expect(text.contains("CA:FALSE"))
            let day = 86_400
            let args = ["x509", "-inform", "DER", "-noout", "-checkend"]
            #expect(try TLSTestSupport.openssl(args + ["\(29 * day)"], input: Data(metacert.derBytes)).status == 0)
            #expect(try TLSTestSupport.openssl(args + ["\(31 * day)"], input: Data(metacert.derBytes)).status != 0)
        }

        @Test func malformedCandidatesAreSkipped() throws {
            let key = try TLSTestSupport.serverKey(3)
            func make(_ cn: String, serial: [UInt8] = [2]) throws -> [UInt8] {
                try DERPMetaCertificate.make(commonName: cn, serialNumber: serial, now: Date()).derBytes
            }
            let good = try make("derpkey" + key.hexString)
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [good]) == .init(serverKey: key, protocolVersion: 2))
            let upper = try make("derpkey" + key.hexString.uppercased(), serial: [7])
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [upper]) == .init(serverKey: key, protocolVersion: 7))
            let zero = try make("derpkey" + key.hexString, serial: [0])
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [zero])?.protocolVersion == 0)
            let bigSerial = try make("derpkey" + key.hexString, serial: [1, 0])
            let shortKey = try make("derpkey" + key.hexString.dropLast(2))
            let longKey = try make("derpkey" + key.hexString + "00")
            let notHex = try make("derpkey" + String(repeating: "z", count: 64))
            let noPrefix = try make(key.hexString)
            let wrongCase = try make("DERPKEY" + key.hexString)
            for bad in [bigSerial, shortKey, longKey, notHex, noPrefix, wrongCase] {
                #expect(DERPMetaCertificate.identity(inPresentedCertificates: [bad]) == nil)
            }
            // The first acceptable one wins; bad ones before it are skipped.
            #expect(DERPMetaCertificate.identity(inPresentedCertificates: [bigSerial, notHex, good, upper])?.protocolVersion == 2)
        }
    }
}
