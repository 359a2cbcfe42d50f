import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import RelayCore

/// Client admission against a real webhook on 127.0.0.1 and a real allowlist file, through the
/// whole relay: a rejected client sees the connection close right after its ClientInfo.
@Suite(.timeLimit(.minutes(2)))
struct AdmissionTests {
    private static let quiet: Logger = {
        var logger = Logger(label: "test.admission")
        logger.logLevel = .critical
        return logger
    }()

    private func webhookPolicy(
        _ url: URL, failOpen: Bool = true, timeout: Duration = .seconds(5), cache: Int = 0,
        tls: TLSConfiguration? = nil
    ) throws -> WebhookAdmissionPolicy {
        var configuration = WebhookAdmissionConfiguration(url: url, failOpen: failOpen)
        configuration.timeout = timeout
        configuration.cacheCapacity = cache
        if let tls { configuration.tls = tls }
        return try WebhookAdmissionPolicy(configuration: configuration, logger: Self.quiet)
    }

    /// Connects `key` and reports whether it was admitted. A rejection must be the server closing
    /// the connection during the handshake (no ServerInfo), never a timeout.
    private func admitted(_ relay: TestRelay, _ key: NodePrivateKey = .generate()) async throws -> Bool {
        do {
            let client = try await relay.client(key: key)
            _ = try await client.ping()
            await client.close()
            return true
        } catch let error as DERPClientError {
            #expect(error == .closed, "a rejected client sees EOF after ClientInfo")
            return false
        }
    }

    @Test func webhookAllowsAndGetsTheReferenceRequest() async throws {
        let hook = try await TestWebhook.start(reply: .allow)
        let policy = try webhookPolicy(hook.url)
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop(); await hook.stop() } }

        let key = NodePrivateKey.generate()
        #expect(try await admitted(relay, key))
        let requests = hook.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.requestLine == "POST /verify?region=test HTTP/1.1")
        #expect(request.bodyText == #"{"NodePublic":"\#(key.publicKey)","Source":"127.0.0.1"}"#)
        #expect(request.headers["host"] == "127.0.0.1:\(hook.port)")
        #expect(request.headers["content-length"] == String(request.body.count))
        #expect(policy.counters.allow.value == 1 && policy.counters.requests == 1)
    }

    @Test func webhookDenialClosesAfterClientInfo() async throws {
        let hook = try await TestWebhook.start(reply: .deny)
        let policy = try webhookPolicy(hook.url)
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop(); await hook.stop() } }

        #expect(try await admitted(relay) == false)
        #expect(hook.requests.count == 1)
        #expect(policy.counters.deny.value == 1)
        #expect(relay.server.registry.connectionCount == 0)
    }

    @Test(arguments: [
        TestWebhook.Reply.answer(status: 500, body: #"{"Allow":true}"#),
        .answer(status: 302, body: #"{"Allow":true}"#),
        .answer(status: 204, body: ""),
        .answer(status: 200, body: "Allow: yes"),
        .answer(status: 200, body: #"{"Allow":"true"}"#),
        .answer(status: 200, body: ""),
        // Only 4 KiB is read, as in the reference: an Allow beyond it is never seen.
        .answer(status: 200, body: #"{"Pad":""# + String(repeating: "x", count: 5000) + #"","Allow":true}"#),
    ])
    func anythingButA200AllowRejects(reply: TestWebhook.Reply) async throws {
        let hook = try await TestWebhook.start(reply: reply)
        let policy = try webhookPolicy(hook.url)  // fail-open does not apply: the webhook answered
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop(); await hook.stop() } }

        #expect(try await admitted(relay) == false)
        #expect(hook.requests.count == 1)
        #expect(policy.counters.badStatus.value + policy.counters.badResponse.value == 1)
        #expect(policy.counters.error.value == 0)
    }

    @Test(arguments: [true, false])
    func unreachableWebhookFollowsFailOpen(failOpen: Bool) async throws {
        let port = try await TestWebhook.closedPort()
        let policy = try webhookPolicy(try #require(URL(string: "http://127.0.0.1:\(port)/verify")), failOpen: failOpen)
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop() } }

        #expect(try await admitted(relay) == failOpen)
        #expect(policy.counters.error.value == 1)
        #expect(policy.counters.failOpen.value == (failOpen ? 1 : 0))
    }

    @Test(arguments: [true, false])
    func hangingWebhookTimesOutAndFollowsFailOpen(failOpen: Bool) async throws {
        let hook = try await TestWebhook.start(reply: .hang)
        let policy = try webhookPolicy(hook.url, failOpen: failOpen, timeout: .milliseconds(300))
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop(); await hook.stop() } }

        #expect(try await admitted(relay) == failOpen)
        #expect(hook.requests.count == 1, "the request reached the webhook, which never answered")
        #expect(policy.counters.error.value == 1)
    }

    @Test func cacheSparesTheWebhookARepeatQuestion() async throws {
        let hook = try await TestWebhook.start(reply: .allow)
        let policy = try webhookPolicy(hook.url, cache: 512)
        let relay = try await TestRelay.start { $0.admission = policy }
        defer { Task { await relay.stop(); await hook.stop() } }

        let allowed = NodePrivateKey.generate()
        #expect(try await admitted(relay, allowed))
        #expect(try await admitted(relay, allowed))
        hook.setReply(.deny)
        let denied = NodePrivateKey.generate()
        #expect(try await admitted(relay, denied) == false)
        #expect(try await admitted(relay, denied) == false)
        #expect(hook.requests.count == 2)
        #expect(policy.counters.cacheHits.value == 2)
    }

    @Test func httpsWebhookIsVerified() async throws {
        let certificate = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1")
        let leaf = try NIOSSLCertificate(bytes: certificate.certificateDER, format: .der)
        let key = try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)
        let serverTLS = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(leaf)], privateKey: .privateKey(key)))
        let hook = try await TestWebhook.start(reply: .allow, tls: serverTLS)
        defer { Task { await hook.stop() } }

        var trusting = WebhookAdmissionConfiguration.defaultTLS
        trusting.trustRoots = .certificates([leaf])
        let trusted = try webhookPolicy(hook.httpsURL, failOpen: false, tls: trusting)
        let relay = try await TestRelay.start { $0.admission = trusted }
        defer { Task { await relay.stop() } }
        #expect(try await admitted(relay))
        #expect(trusted.counters.allow.value == 1)

        // The same server with the system roots: the self-signed certificate fails verification,
        // which is a transport error, so fail-closed rejects.
        let untrusted = try webhookPolicy(hook.httpsURL, failOpen: false)
        let strictRelay = try await TestRelay.start { $0.admission = untrusted }
        defer { Task { await strictRelay.stop() } }
        #expect(try await admitted(strictRelay) == false)
        #expect(untrusted.counters.error.value == 1)
        #expect(hook.requests.count == 1, "no request is sent over an unverified connection")
    }

    @Test func allowListAdmitsListedKeysAndReloads() async throws {
        let alice = NodePrivateKey.generate()
        let bob = NodePrivateKey.generate()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allow-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("# test nodes\n\(alice.publicKey)  # alice\n".utf8).write(to: URL(fileURLWithPath: path))
        let allowList = try AllowListAdmissionPolicy(path: path)
        let relay = try await TestRelay.start { $0.admission = allowList }
        defer { Task { await relay.stop() } }

        #expect(try await admitted(relay, alice))
        #expect(try await admitted(relay, bob) == false)
        try Data("\(alice.publicKey)\n\(bob.publicKey)\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try allowList.reload() == 2)
        #expect(try await admitted(relay, bob), "a key added to the file is admitted after reload")
        #expect(allowList.counters.deny.value == 1 && allowList.counters.allow.value == 2)
    }

    @Test func allowListGoesBeforeTheWebhook() async throws {
        let listed = NodePrivateKey.generate()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allow-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("\(listed.publicKey)\n".utf8).write(to: URL(fileURLWithPath: path))
        let hook = try await TestWebhook.start(reply: .deny)
        let combined = CombinedAdmissionPolicy([try AllowListAdmissionPolicy(path: path), try webhookPolicy(hook.url)])
        let relay = try await TestRelay.start { $0.admission = combined }
        defer { Task { await relay.stop(); await hook.stop() } }

        #expect(try await admitted(relay) == false)
        #expect(hook.requests.isEmpty, "an unlisted key never reaches the webhook")
        #expect(try await admitted(relay, listed) == false, "a listed key still needs the webhook's yes")
        #expect(hook.requests.count == 1)
        hook.setReply(.allow)
        #expect(try await admitted(relay, listed))
    }

    @Test func meshPeersSkipAdmission() async throws {
        let hook = try await TestWebhook.start(reply: .deny)
        let meshKey = try DERPMeshKey(text: String(repeating: "5a", count: 32))
        let policy = try webhookPolicy(hook.url)
        let relay = try await TestRelay.start { config in
            config.meshKey = meshKey
            config.admission = policy
        }
        defer { Task { await relay.stop(); await hook.stop() } }

        let peer = try await relay.client(meshKey: meshKey)
        await peer.close()
        #expect(hook.requests.isEmpty)
    }

    /// The flags through the real executable: `-allow-keys-file` before `-verify-client-url`, and
    /// the allowlist re-read on SIGHUP.
    @Test func derperFlagsAndSIGHUPReload() async throws {
        let hook = try await TestWebhook.start(reply: .allow)
        defer { Task { await hook.stop() } }
        let directory = try DerperProcess.temporaryDirectory()
        let allowPath = directory.appendingPathComponent("allow-keys").path
        let alice = NodePrivateKey.generate()
        let bob = NodePrivateKey.generate()
        try Data("\(alice.publicKey)\n".utf8).write(to: URL(fileURLWithPath: allowPath))
        let port = try freeLocalPort()
        let child = try DerperProcess(arguments: [
            "-a", "127.0.0.1:\(port)", "-http-port", "-1", "-stun=false", "-drain-timeout", "1s",
            "-c", directory.appendingPathComponent("derper.key").path,
            "-allow-keys-file", allowPath, "-verify-client-url", hook.url.absoluteString, "-verify-client-url-fail-open=false",
        ], directory: directory)
        defer { Task { await child.stop() } }
        try #require(await eventually { child.stderr.contains("listening") }, "derper did not start: \(child.stderr.prefix(2000))")

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        func admitted(_ key: NodePrivateKey) async throws -> Bool {
            var configuration = DERPClientConfiguration(host: "127.0.0.1", port: port, privateKey: key, tlsContext: nil)
            configuration.connectTimeout = .seconds(20)
            do {
                let client = try await DERPClient.connect(configuration, group: group)
                await client.close()
                return true
            } catch let error as DERPClientError {
                #expect(error == .closed)
                return false
            }
        }

        #expect(try await admitted(alice))
        #expect(try await admitted(bob) == false)
        #expect(hook.requests.count == 1, "bob is refused by the allowlist before the webhook is asked")

        try Data("\(alice.publicKey)\n\(bob.publicKey)\n".utf8).write(to: URL(fileURLWithPath: allowPath))
        child.signal(SIGHUP)
        try #require(await eventually { child.stderr.contains("reloaded allowlist") })
        #expect(try await admitted(bob))
        #expect(hook.requests.count == 2)
        #expect(hook.requests.last?.bodyText.contains(bob.publicKey.description) == true)
    }
}
