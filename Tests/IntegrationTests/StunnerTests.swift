import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import RelayCore

/// The probe engine over real UDP sockets on loopback, against derper's STUN server (plain and
/// RFC 5780 with 127.0.0.3 as the second IP), a server that answers garbage, and a dead port; then
/// the built `stunner` binary. Loopback has no NAT, so every verdict is "none".
@Suite(.timeLimit(.minutes(2)))
struct StunnerTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    static func stunServer(_ host: String, alternatePort: Int? = nil, alternateAddress: String? = nil) async throws -> STUNServer {
        var logger = Logger(label: "test.stunner")
        logger.logLevel = .critical
        let server = STUNServer(
            configuration: STUNServerConfiguration(host: host, port: 0, alternatePort: alternatePort, alternateAddress: alternateAddress),
            logger: logger)
        try await server.start()
        return server
    }

    static func primary(_ server: STUNServer) async throws -> NATEndpoint {
        let address = try #require(await server.localAddresses.first)
        return NATEndpoint(try #require(STUNAddress(address)))
    }

    /// A port on `host` where nothing listens (bound, read, closed).
    static func deadPort(_ host: String = "127.0.0.1") async throws -> NATEndpoint {
        let channel = try await DatagramBootstrap(group: group).bind(host: host, port: 0).get()
        let address = try #require(channel.localAddress.flatMap { STUNAddress($0) })
        try await channel.close()
        return NATEndpoint(address)
    }

    /// A schedule that does not depend on this machine's speed: a live loopback server has seconds
    /// to answer. Runs still end as soon as every transaction has its reply.
    static let patient = NATRetransmissionPolicy(
        initialRTO: .seconds(1), minimumRTO: .seconds(1), maximumRTO: .seconds(2))

    static func probe(
        _ servers: [NATEndpoint], retransmission: NATRetransmissionPolicy = patient, timeout: TimeAmount = .seconds(30)
    ) async throws -> NATObservations {
        let plan = NATProbePlan(
            servers: servers.map { NATProbeServer(address: $0) }, timeout: timeout, retransmission: retransmission)
        return try await NATProber.run(NATProbeConfiguration(plan: plan), eventLoop: group.next())
    }

    @Test func loopbackHasNoNATAndOpenFiltering() async throws {
        let a = try await Self.stunServer("127.0.0.1")
        let b = try await Self.stunServer("127.0.0.2")
        let rfc5780 = try await Self.stunServer("127.0.0.1", alternatePort: 0, alternateAddress: "127.0.0.3")
        let servers = [try await Self.primary(a), try await Self.primary(b), try await Self.primary(rfc5780)]
        let observations = try await Self.probe(servers)
        await a.close()
        await b.close()
        await rfc5780.close()

        let verdict = NATClassifier.classify(observations)
        let ipv4 = try #require(verdict.ipv4)
        #expect(verdict.udp)
        #expect(ipv4.natType == NATType.none, "\(ipv4.mappingReason)")
        #expect(ipv4.mapping == NATMappingBehavior.none)
        #expect(ipv4.filtering == .endpointIndependent, "\(ipv4.filteringReason)")
        #expect(ipv4.hairpinning == nil)
        #expect(ipv4.publicAddress?.isLoopback == true)
        #expect(observations.ignoredDatagrams == 0)
        #expect(observations.durationMs > 0 && observations.durationMs < observations.timeoutMs, "ended when all had answered")
        let tests = Set(observations.transactions.map(\.test))
        #expect(tests == Set(NATProbeTest.allCases), "every kind of test ran: \(tests)")
        for record in observations.transactions {
            #expect(record.reply != nil, "\(record.test) to \(record.destination): \(record.error ?? "")")
        }
        let changeBoth = try #require(observations.transactions.first { $0.test == .filteringChangeIPAndPort })
        #expect(changeBoth.reply?.source.ipDescription == "127.0.0.3", "the reply really came from the other IP")
        #expect(changeBoth.socket != observations.transactions.first { $0.test == .filteringChangePort }?.socket)
    }

    static let ipv6LoopbackAvailable: Bool = {
        guard let channel = try? DatagramBootstrap(group: group).bind(host: "::1", port: 0).wait() else { return false }
        try? channel.close().wait()
        return true
    }()

    @Test(.enabled(if: ipv6LoopbackAvailable, "::1 cannot be bound here"))
    func ipv6GetsItsOwnVerdict() async throws {
        let v4 = try await Self.stunServer("127.0.0.1")
        let v6 = try await Self.stunServer("::1")
        let observations = try await Self.probe([try await Self.primary(v4), try await Self.primary(v6)])
        await v4.close()
        await v6.close()
        let verdict = NATClassifier.classify(observations)
        #expect(verdict.ipv4?.natType == NATType.none)
        let ipv6 = try #require(verdict.ipv6)
        #expect(ipv6.natType == NATType.none, "\(ipv6.mappingReason)")
        #expect(ipv6.publicAddress?.family == .ipv6)
        let sockets = Set(observations.transactions.filter { $0.test == .mapping }.map(\.socket))
        #expect(sockets == [NATSocketID(.mapping, .ipv4), NATSocketID(.mapping, .ipv6)], "one mapping socket per family")
    }

    @Test func garbageAndSpoofedRepliesAreIgnored() async throws {
        let real = try await Self.stunServer("127.0.0.1")
        let garbage = try await GarbageResponder.start(host: "127.0.0.2", group: Self.group)
        let observations = try await Self.probe([try await Self.primary(real), garbage.address])
        await real.close()
        try await garbage.channel.close()

        let fromGarbage = try #require(observations.transactions.first { $0.destination == garbage.address && $0.test == .mapping })
        #expect(fromGarbage.reply == nil)
        #expect(fromGarbage.failure == .noReply)
        #expect(fromGarbage.error?.contains("a reply was unusable: success response without a mapped address") == true)
        #expect(observations.ignoredDatagrams >= 4 * fromGarbage.transmissions)
        #expect(!observations.transactions.contains { $0.mapped == GarbageResponder.fakeMapping })
        let verdict = NATClassifier.classify(observations)
        #expect(verdict.natType == NATType.none)
        #expect(verdict.hints.contains { $0.contains("were ignored") })
    }

    @Test func anUnreachablePortIsRecorded() async throws {
        let real = try await Self.stunServer("127.0.0.1")
        let dead = try await Self.deadPort("127.0.0.2")
        let observations = try await Self.probe([try await Self.primary(real), dead])
        await real.close()
        let record = try #require(observations.transactions.first { $0.destination == dead })
        #expect(record.failure == .noReply)
        #expect(record.error?.hasPrefix("no reply after 3 attempts") == true, "\(record.error ?? "")")
        #expect(NATClassifier.classify(observations).natType == NATType.none)
    }

    @Test func nothingAnsweringIsBlocked() async throws {
        let observations = try await Self.probe(
            [try await Self.deadPort("127.0.0.1"), try await Self.deadPort("127.0.0.2")], retransmission: NATRetransmissionPolicy())
        let verdict = NATClassifier.classify(observations)
        #expect(!verdict.udp)
        #expect(verdict.natType == .blocked)
    }

    @Test func aTakenSourcePortIsAnError() async throws {
        let holder = try await DatagramBootstrap(group: Self.group).bind(host: "0.0.0.0", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let plan = NATProbePlan(servers: [NATProbeServer(address: try await Self.deadPort())], timeout: .milliseconds(300))
        await #expect(throws: NATProberError.self) {
            try await NATProber.run(NATProbeConfiguration(plan: plan, sourcePort: port), eventLoop: Self.group.next())
        }
        try await holder.close()
    }

    // MARK: - The stunner executable

    @Test func stunnerJSONAgainstALoopbackServer() async throws {
        let server = try await Self.stunServer("127.0.0.1")
        let address = try await Self.primary(server)
        let result = try await StunnerProcess.run(["--stun-server", address.description, "--json", "--timeout", "2", "--no-port-mapping"])
        await server.close()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(NATReport.self, from: Data(result.stdout.utf8))
        #expect(report.schemaVersion == 1)
        #expect(report.udp)
        #expect(report.natType == NATType.none)
        #expect(report.mapping == NATMappingBehavior.none)
        #expect(report.probes.contains { $0.server == address.description && $0.mapped != nil })
        #expect(report.portMappingChecked == false)
        #expect(report.durationMs > 0)
    }

    @Test func stunnerTextReportAndCompare() async throws {
        let server = try await Self.stunServer("127.0.0.1")
        let address = try await Self.primary(server)
        let text = try await StunnerProcess.run(["--stun-server", address.description, "--no-ip", "--debug", "--no-port-mapping"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("NAT type"))
        #expect(text.stdout.contains("Transcript"))
        #expect(!text.stdout.contains("\u{1B}["), "no colour when not a terminal")

        let directory = try StunnerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try await StunnerProcess.run(["--stun-server", address.description, "--json", "--no-port-mapping"])
        await server.close()
        let file = directory.appendingPathComponent("a.json")
        try Data(json.stdout.utf8).write(to: file)
        let compare = try await StunnerProcess.run(["compare", file.path, file.path])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.hasPrefix("Direct connection expected"))
        let compareJSON = try await StunnerProcess.run(["compare", file.path, file.path, "--json"])
        let comparison = try JSONDecoder().decode(NATComparison.self, from: Data(compareJSON.stdout.utf8))
        #expect(comparison.outcome == .direct)

        let missing = try await StunnerProcess.run(["compare", file.path, directory.appendingPathComponent("none.json").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"))
    }

    @Test func stunnerWithADERPMapFile() async throws {
        let server = try await Self.stunServer("127.0.0.1")
        let address = try await Self.primary(server)
        let directory = try StunnerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = directory.appendingPathComponent("map.json")
        try Data("""
            {"Regions":{"900":{"RegionID":900,"RegionCode":"lo","RegionName":"Loopback","Nodes":[
              {"Name":"900a","RegionID":900,"HostName":"localhost","IPv4":"127.0.0.1","IPv6":"none","STUNPort":\(address.port)}
            ]}}}
            """.utf8).write(to: map)
        let result = try await StunnerProcess.run(["--derp-map", map.path, "--json", "--no-port-mapping"])
        await server.close()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(NATReport.self, from: Data(result.stdout.utf8))
        #expect(report.probes.first?.serverName == "900a (lo)")

        let broken = directory.appendingPathComponent("broken.json")
        try Data("{\"Regions\": [".utf8).write(to: broken)
        let bad = try await StunnerProcess.run(["--derp-map", broken.path, "--no-port-mapping"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("cannot use DERP map"))
        let absent = try await StunnerProcess.run(["--derp-map", directory.appendingPathComponent("absent.json").path, "--no-port-mapping"])
        #expect(absent.status == 2)
    }

    @Test func stunnerExitsOneWhenNothingAnswers() async throws {
        let dead = try await Self.deadPort()
        let result = try await StunnerProcess.run(["--stun-server", dead.description, "--json", "--timeout", "1", "--no-port-mapping"])
        #expect(result.status == 1)
        let report = try JSONDecoder().decode(NATReport.self, from: Data(result.stdout.utf8))
        #expect(!report.udp)
        #expect(report.probes.first?.error != nil)
    }

    static let usageCases: [([String], Int32)] = [
        (["--help"], 0),
        (["compare", "--help"], 0),
        (["--version"], 0),
        (["--bogus"], 2),
        (["--timeout", "0", "--stun-server", "127.0.0.1"], 2),
        (["--stun-server", "127.0.0.1:0"], 2),
        (["--stun-server", "127.0.0.1", "--derp-map", "x.json"], 2),
        (["--source-port", "70000", "--stun-server", "127.0.0.1"], 2),
        (["compare", "only-one.json"], 2),
    ]

    @Test(arguments: usageCases)
    func stunnerUsage(arguments: [String], status: Int32) async throws {
        let result = try await StunnerProcess.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        if status == 2 { #expect(!result.stderr.isEmpty) }
    }
}

/// Answers every datagram with junk: bytes that are not STUN, a response with the wrong
/// transaction ID carrying a fake mapping, a truncated response, and one with the right ID but no
/// mapped address. The engine must ignore all of it.
struct GarbageResponder {
    static let fakeMapping = NATEndpoint(STUNAddress(ipv4: 0x7F00_0009, port: 9))

    let channel: any Channel
    let address: NATEndpoint

    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = unwrapInboundIn(data)
            guard let id = STUNMessage.tailscaleRequestTransactionID(request.data) else { return }
            let spoofed = STUNMessage.bindingSuccessResponse(transactionID: .random(), mapped: GarbageResponder.fakeMapping.address)
            let empty = STUNMessage(class: .successResponse, transactionID: id)
            var truncated = (try? STUNMessage.bindingSuccessResponse(transactionID: id, mapped: GarbageResponder.fakeMapping.address)
                .encoded()) ?? ByteBuffer()
            truncated.moveWriterIndex(to: truncated.writerIndex - 6)
            let replies = [ByteBuffer(string: "HTTP/1.1 400 Nope\r\n\r\n"), (try? spoofed.encoded()) ?? ByteBuffer(), truncated,
                           (try? empty.encoded()) ?? ByteBuffer()]
            for reply in replies {
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: request.remoteAddress, data: reply)), promise: nil)
            }
            context.flush()
        }
    }

    static func start(host: String, group: any EventLoopGroup) async throws -> GarbageResponder {
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) }
            }
            .bind(host: host, port: 0).get()
        let address = try #require(channel.localAddress.flatMap { STUNAddress($0) })
        return GarbageResponder(channel: channel, address: NATEndpoint(address))
    }
}

/// The built `stunner` binary, run to completion with its output captured in files. Every probing
/// run passes `--no-port-mapping`: the port-mapping probe would send to this machine's real gateway.
enum StunnerProcess {
    struct NotFound: Error, CustomStringConvertible {
        var description: String { "stunner executable not found next to the test bundle (swift build first)" }
    }

    static func binary() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["STUNNER_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("stunner"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/stunner"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotFound()
        }
        return found
    }

    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("stunner-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs stunner with `arguments` (NO_COLOR unset, output to files) and waits for it to exit.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        return (status, stdout, stderr)
    }
}
