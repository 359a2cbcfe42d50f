import Foundation
import Testing
@testable import RelayCore

extension TLSTests {
    /// Real handshakes over TCP on 127.0.0.1 between our server configuration and our clients (and a
    /// stock NIOSSL client), through ``TLSLoopbackCheck``.
    @Suite(.timeLimit(.minutes(1)))
    struct TLSLoopbackTests {
        private func manualStore(hostname: String, in dir: String, serverKey: NodePublicKey? = nil) throws -> TLSServerContextStore {
            let metacert = try DERPMetaCertificate.generate(serverKey: serverKey ?? TLSTestSupport.serverKey())
            return try TLSServerContextStore(manual: .init(directory: dir, hostname: hostname, metacert: metacert))
        }

        @Test func generatedIPCertificateIsATrustRootForItsIPOnly() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let right = try manualStore(hostname: "127.0.0.1", in: dir + "/a")
            let rightRoots = try #require(right.loaded).chain
            let ok = try await TLSLoopbackCheck.run(server: right, client: .standard(trustRoots: rightRoots), serverHostname: "127.0.0.1")
            #expect(ok.succeeded, "\(ok.error ?? "")")
            #expect(ok.tlsVersion == "TLSv1.3")

            // A certificate for another IP, trusted as a root, still fails for the address we reached.
            let wrong = try manualStore(hostname: "127.0.0.2", in: dir + "/b")
            let wrongRoots = try #require(wrong.loaded).chain
            let refused = try await TLSLoopbackCheck.run(server: wrong, client: .standard(trustRoots: wrongRoots), serverHostname: "127.0.0.1")
            #expect(!refused.succeeded)
        }

        @Test func ourWebPKIClientAcceptsItAsAnExtraRootForItsIPOnly() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let server = try manualStore(hostname: "127.0.0.1", in: dir)
            let leaf = try #require(server.loaded).leaf
            let client = try DERPTLSClientContext(verification: .webPKI(additionalTrustRoots: [leaf]))
            let ok = try await TLSLoopbackCheck.run(server: server, client: .derp(client), serverHostname: "127.0.0.1")
            #expect(ok.succeeded, "\(ok.error ?? "") \(ok.verificationFailure ?? "")")
            #expect(ok.presentedCertificates.count == 2)

            let wrongName = try await TLSLoopbackCheck.run(server: server, client: .derp(client), serverHostname: "127.0.0.3")
            #expect(!wrongName.succeeded)
            #expect(wrongName.verificationFailure?.contains("127.0.0.3") == true, "\(wrongName.verificationFailure ?? "")")

            let untrusting = try DERPTLSClientContext(verification: .webPKI(additionalTrustRoots: []))
            let unknown = try await TLSLoopbackCheck.run(server: server, client: .derp(untrusting), serverHostname: "127.0.0.1")
            #expect(!unknown.succeeded)
            #expect(unknown.verificationFailure != nil)
        }

        @Test func pinnedClientFindsTheMetacert() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let key = try TLSTestSupport.serverKey(77)
            let server = try manualStore(hostname: "127.0.0.1", in: dir, serverKey: key)
            let loaded = try #require(server.loaded)
            let client = try DERPTLSClientContext(verification: try DERPTLSVerification(certName: loaded.pin.description))
            let outcome = try await TLSLoopbackCheck.run(server: server, client: .derp(client), serverHostname: "127.0.0.1")
            #expect(outcome.succeeded, "\(outcome.error ?? "") \(outcome.verificationFailure ?? "")")
            #expect(outcome.tlsVersion == "TLSv1.3")
            #expect(outcome.presentedCertificates.first == loaded.leafDER)
            #expect(outcome.presentedCertificates.count == 2)
            #expect(outcome.metaCertificateIdentity == DERPMetaCertificate.Identity(serverKey: key, protocolVersion: 2))
        }

        @Test func pinnedClientRefusesAnotherCertificate() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let server = try manualStore(hostname: "127.0.0.1", in: dir)
            let stranger = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1")
            let client = try DERPTLSClientContext(verification: .pinned(stranger.pin))
            let outcome = try await TLSLoopbackCheck.run(server: server, client: .derp(client), serverHostname: "127.0.0.1")
            #expect(!outcome.succeeded)
            #expect(outcome.verificationFailure?.hasPrefix("cert hash does not match expected cert hash") == true)
            #expect(outcome.presentedCertificates.count == 2)
        }

        @Test func insecureClientAcceptsAnything() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let server = try manualStore(hostname: "127.0.0.1", in: dir)
            let client = try DERPTLSClientContext(verification: .insecureForTests)
            let outcome = try await TLSLoopbackCheck.run(server: server, client: .derp(client), serverHostname: "10.20.30.40")
            #expect(outcome.succeeded, "\(outcome.error ?? "")")
        }

        @Test(.enabled(if: TLSTestSupport.openSSLAvailable, "needs the openssl command"))
        func dnsHostnameServerInsistsOnSNIAndCertNameVerifiesAnotherName() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            _ = try TLSTestSupport.makeOpenSSLCertificate(
                directory: dir, baseName: "derp.example.test", subject: "/CN=derp.example.test",
                subjectAltName: "DNS:derp.example.test")
            let server = try manualStore(hostname: "derp.example.test", in: dir)
            let loaded = try #require(server.loaded)
            let pinned = try DERPTLSClientContext(verification: .pinned(loaded.pin))

            let ok = try await TLSLoopbackCheck.run(server: server, client: .derp(pinned), serverHostname: "derp.example.test")
            #expect(ok.succeeded, "\(ok.error ?? "") \(ok.verificationFailure ?? "")")
            let otherSNI = try await TLSLoopbackCheck.run(server: server, client: .derp(pinned), serverHostname: "other.example.test")
            #expect(!otherSNI.succeeded)
            #expect(otherSNI.verificationFailure == nil, "the server refused before the client verified anything")

            // CertName as a DNS name: dial (and SNI) one name, verify the certificate for another.
            let open = try TLSServerContextStore(chain: loaded.chain, key: loaded.privateKey, metacert: nil)
            let certName = try DERPTLSClientContext(
                verification: .certName(.dnsName("derp.example.test"), additionalTrustRoots: [loaded.leaf]))
            let fronted = try await TLSLoopbackCheck.run(server: open, client: .derp(certName), serverHostname: "front.example.test")
            #expect(fronted.succeeded, "\(fronted.error ?? "") \(fronted.verificationFailure ?? "")")
            let plain = try DERPTLSClientContext(verification: .webPKI(additionalTrustRoots: [loaded.leaf]))
            let mismatch = try await TLSLoopbackCheck.run(server: open, client: .derp(plain), serverHostname: "front.example.test")
            #expect(!mismatch.succeeded)
        }

        @Test func reloadSwapsCertificatesAndKeepsTheOldOneOnFailure() async throws {
            let dir = try TLSTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let server = try manualStore(hostname: "127.0.0.1", in: dir)
            let firstPin = try #require(server.loaded).pin
            let files = CertificateFileNames(directory: dir, hostname: "127.0.0.1")

            let replacement = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1")
            try replacement.write(to: files)
            let reloaded = try server.reload()
            #expect(reloaded.pin == replacement.pin)
            #expect(reloaded.pin != firstPin)
            let newClient = try DERPTLSClientContext(verification: .pinned(replacement.pin))
            #expect(try await TLSLoopbackCheck.run(server: server, client: .derp(newClient), serverHostname: "127.0.0.1").succeeded)

            try Data("garbage".utf8).write(to: URL(fileURLWithPath: files.certificatePath))
            #expect(throws: TLSSetupError.self) { try server.reload() }
            try FileManager.default.removeItem(atPath: files.certificatePath)
            try FileManager.default.removeItem(atPath: files.keyPath)
            #expect(throws: TLSSetupError.self) { try server.reload() }
            #expect(!FileManager.default.fileExists(atPath: files.certificatePath), "reload never generates")
            #expect(server.loaded?.pin == replacement.pin)
            #expect(try await TLSLoopbackCheck.run(server: server, client: .derp(newClient), serverHostname: "127.0.0.1").succeeded)
        }

        @Test func clientRefusesBadHostnames() throws {
            let client = try DERPTLSClientContext(verification: .insecureForTests)
            #expect(throws: TLSSetupError.self) { try client.makeClientHandler(serverHostname: "") }
            #expect(throws: TLSSetupError.self) { try client.makeClientHandler(serverHostname: "host:443") }
            _ = try client.makeClientHandler(serverHostname: "::1")
            _ = try client.makeClientHandler(serverHostname: "derp.example.com")
        }
    }
}
