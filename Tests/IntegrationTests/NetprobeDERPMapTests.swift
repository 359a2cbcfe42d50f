import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import RelayCore

/// `netprobe derpmap …` end to end: the built executable, run as a user would run it. Maps come
/// from the embedded default or files written here; `validate --probe` talks only to an
/// in-process derper and UDP sockets on 127.0.0.1.
@Suite(.timeLimit(.minutes(3)))
struct NetprobeDERPMapTests {
    let netprobe: NetprobeExecutable
    let geo: DERPRegionGeoTable
    let defaults: DERPMap

    init() throws {
        netprobe = try NetprobeExecutable()
        geo = try DERPRegionGeoTable.embedded()
        defaults = try DERPMap.embeddedDefault()
    }

    // MARK: Command skeleton

    @Test func versionAndDefaultSubcommand() async throws {
        let version = try await netprobe.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ToolkitVersion.string)
        // Never run the default subcommand here: it probes the map's servers, and the default map's are Tailscale's.
        let help = try await netprobe.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("report (default)") && help.stdout.contains("derpmap"))
        let usage = try await netprobe.run(["derpmap", "filter", "--no-such-option"])
        #expect(usage.status == 2)
    }

    @Test(arguments: ["show", "filter", "add-node", "validate"])
    func everySubcommandExplainsItsOptions(_ subcommand: String) async throws {
        let help = try await netprobe.run(["derpmap", subcommand, "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--derp-map"))
        if subcommand == "filter" || subcommand == "add-node" {
            #expect(help.stdout.contains("OmitDefaultRegions"))
            #expect(help.stdout.contains("frozen"))
        }
    }

    // MARK: show

    @Test func showListsEveryRegionAndNode() async throws {
        let result = try await netprobe.run(["derpmap", "show"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("REGION  CODE  NAME") == true)
        #expect(lines.contains { $0.hasPrefix("4 ") && $0.contains("fra") && $0.contains("Frankfurt") && $0.contains("DE") && $0.contains("EU") })
        #expect(lines.contains { $0.contains("derp4f.tailscale.com") && $0.contains("3478") && $0.contains("443") })
        #expect(lines.last == "\(defaults.regions.count) regions, \(defaults.allNodes.count) nodes")
        let narrowed = try await netprobe.run(["derpmap", "show", "--region", "nyc"])
        #expect(narrowed.stdout.hasSuffix("1 region, \(defaults.regions[1]?.nodes.count ?? 0) nodes\n"))
    }

    // MARK: filter

    @Test func filterToEUMemberStatesLeavesOnlyEURegions() async throws {
        let result = try await netprobe.run(["derpmap", "filter", "--country", "EU"])
        #expect(result.status == 0)
        let map = try DERPMap(jsonData: Data(result.stdout.utf8))
        let expected = Set(geo.entries.filter { GeoCountry.euMemberCodes.contains($0.countryCode) }.map(\.regionID))
        #expect(!expected.isEmpty)
        #expect(Set(map.regions.keys) == expected)
        for region in map.regions.values {
            #expect(region == defaults.regions[region.regionID], "regions are copied unmodified")
        }
    }

    @Test func excludeCountryAndCommaSeparatedRepeatedValues() async throws {
        let result = try await netprobe.run(["derpmap", "filter", "--exclude-country", "US", "--compact"])
        #expect(result.status == 0)
        let map = try DERPMap(jsonData: Data(result.stdout.utf8))
        let american = Set(geo.entries.filter { $0.countryCode == "US" }.map(\.regionID))
        #expect(Set(map.regions.keys) == Set(defaults.regions.keys).subtracting(american))
        #expect(result.stdout.split(separator: "\n").count == 1)

        let mixed = try await netprobe.run(["derpmap", "filter", "--region", "fra,14", "--region", "par", "--exclude-region", "4"])
        #expect(try Set(DERPMap(jsonData: Data(mixed.stdout.utf8)).regions.keys) == [14, 18])
    }

    @Test func filterWithoutOptionsWritesTheMapUnchanged() async throws {
        let path = try TemporaryFile.write(String(decoding: try defaults.jsonData(format: .compact), as: UTF8.self))
        let result = try await netprobe.run(["derpmap", "filter", "--compact", "--derp-map", path])
        #expect(result.stdout == String(decoding: try defaults.jsonData(format: .compact), as: UTF8.self) + "\n")
        let piped = try await netprobe.run(["derpmap", "filter", "--compact", "--derp-map", "-"], stdin: Data(result.stdout.utf8))
        #expect(piped.stdout == result.stdout)
    }

    @Test(arguments: [
        (["--country", "XX"], "DE"),
        (["--region", "zzz"], "nyc"),
        (["--exclude-region", "950"], "28"),
        (["--continent", "Atlantis"], "EU (Europe)"),
        (["--country", "IT"], "FI"),
    ])
    func unknownSelectorIsAUsageErrorListingValidValues(_ arguments: [String], _ listed: String) async throws {
        let result = try await netprobe.run(["derpmap", "filter"] + arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("valid"))
        #expect(result.stderr.contains(listed))
    }

    // MARK: formats

    @Test func policyFormatNullsExactlyTheDroppedRegions() async throws {
        let result = try await netprobe.run(["derpmap", "filter", "--continent", "EU", "--format", "policy"])
        #expect(result.status == 0)
        let policy = try JSONDecoder().decode(PolicyFile.self, from: Data(result.stdout.utf8)).derpMap
        let kept = Set(geo.entries.filter { $0.continent == .europe }.map(\.regionID))
        #expect(policy.removedRegionIDs == Set(defaults.regions.keys).subtracting(kept))
        #expect(policy.regions.isEmpty)
        #expect(!policy.omitDefaultRegions)

        let omit = try await netprobe.run(["derpmap", "filter", "--continent", "EU", "--format", "policy", "--policy-style", "omit"])
        #expect(omit.stdout.contains("\"OmitDefaultRegions\": true"))
        let frozen = try JSONDecoder().decode(PolicyFile.self, from: Data(omit.stdout.utf8)).derpMap
        #expect(frozen.omitDefaultRegions)
        #expect(Set(frozen.regions.keys) == kept)
        #expect(frozen.removedRegionIDs.isEmpty)
    }

    @Test func addNodeOutputParsesBackWithDERPMap() async throws {
        let pin = try SelfSignedIPCertificate.generate(ipAddress: "203.0.113.10").pin.description
        let result = try await netprobe.run([
            "derpmap", "add-node", "--region-code", "myderp", "--region-name", "My DERP", "--hostname", "203.0.113.10",
            "--ipv4", "203.0.113.10", "--ipv6", "none", "--cert-name", pin, "--derp-port", "8443",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let map = try DERPMap(jsonData: Data(result.stdout.utf8))
        let region = try #require(map.regions[900])
        #expect(region.regionCode == "myderp" && region.regionName == "My DERP")
        #expect(region.nodes == [DERPNode(name: "900a", regionID: 900, hostName: "203.0.113.10", certName: pin, ipv4: "203.0.113.10", ipv6: "none", derpPort: 8443)])
        #expect(map.regions.count == defaults.regions.count + 1)

        let into = try await netprobe.run(["derpmap", "add-node", "--region", "fra", "--hostname", "derp.example.net", "--preferred", "--stun-only"])
        let fra = try #require(try DERPMap(jsonData: Data(into.stdout.utf8)).regions[4])
        #expect(fra.nodes.first?.hostName == "derp.example.net" && fra.nodes.first?.stunOnly == true)
        #expect(fra.nodes.count == (defaults.regions[4]?.nodes.count ?? 0) + 1)

        let policy = try await netprobe.run(["derpmap", "add-node", "--region", "fra", "--hostname", "derp.example.net", "--format", "policy"])
        #expect(policy.status == 2 && policy.stderr.contains("--policy-style omit"))
        let taken = try await netprobe.run(["derpmap", "add-node", "--region-code", "fra", "--hostname", "x.example.net"])
        #expect(taken.status == 2 && taken.stderr.contains("already used"))
        let badAddress = try await netprobe.run(["derpmap", "add-node", "--region-code", "x", "--hostname", "x", "--ipv4", "::1"])
        #expect(badAddress.status == 2 && badAddress.stderr.contains("not an IPv4 address"))
    }

    @Test func headscaleFormatWritesLowerCaseGoFieldNames() async throws {
        let result = try await netprobe.run([
            "derpmap", "add-node", "--derp-map", try TemporaryFile.write(#"{"Regions":{}}"#), "--region-code", "myderp",
            "--hostname", "derp.example.net", "--ipv4", "198.51.100.10", "--stun-port", "-1", "--format", "headscale",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("derp.urls: []"))
        for line in ["regions:", "  900:", "    regionid: 900", "    regioncode: myderp", "      - name: 900a", "        hostname: derp.example.net", "        ipv4: 198.51.100.10", "        stunport: -1"] {
            #expect(result.stdout.contains(line + "\n"), "missing \(line)")
        }
    }

    // MARK: validate

    @Test func validateAcceptsTheDefaultMap() async throws {
        let result = try await netprobe.run(["derpmap", "validate"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!result.stdout.contains("error:"))
    }

    @Test(arguments: [
        (#""900":{"RegionID":900,"RegionCode":"a","Nodes":[{"Name":"900a","RegionID":900,"HostName":"h"}]},"901":{"RegionID":900,"RegionCode":"b","Nodes":[{"Name":"901a","RegionID":900,"HostName":"h"}]}"#, "RegionID 900 is also used"),
        (#""900":{"RegionID":900,"RegionCode":"a","Nodes":[{"Name":"900a","RegionID":900,"HostName":""}]}"#, "HostName is empty"),
        (#""900":{"RegionID":900,"RegionCode":"a","Nodes":[{"Name":"900a","RegionID":900,"HostName":"h","DERPPort":70000}]}"#, "DERPPort 70000"),
        (#""900":{"RegionID":900,"RegionCode":"a","Nodes":[]}"#, "region has no nodes"),
        (#""900":{"RegionID":900,"RegionCode":"a","Nodes":[{"Name":"x","RegionID":900,"HostName":"h"}]},"901":{"RegionID":901,"RegionCode":"b","Nodes":[{"Name":"x","RegionID":901,"HostName":"h"}]}"#, "node name is already used"),
    ])
    func validateReportsEachSchemaFault(_ regions: String, _ message: String) async throws {
        let path = try TemporaryFile.write(#"{"Regions":{"#  + regions + "}}")
        let result = try await netprobe.run(["derpmap", "validate", "--derp-map", path])
        #expect(result.status == 1)
        let errors = result.stdout.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.contains { $0.contains(message) }, "\(result.stdout)")
    }

    // MARK: bad input

    @Test(arguments: [
        (#"{"Regions": {"1": {"RegionID": 1,"#, "line 1, column"),
        ("{\n  \"Regions\": {\n    \"1\": {\"RegionID\": 1,]\n", "line 3, column 25"),
        (#"{"Regions": {"1": {"RegionID": "one"}}}"#, "Regions.1.RegionID"),
        ("", "line 1, column 1"),
    ])
    func brokenMapsFailWithOneLineSayingWhere(_ text: String, _ location: String) async throws {
        let path = try TemporaryFile.write(text)
        let result = try await netprobe.run(["derpmap", "show", "--derp-map", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(location), "\(result.stderr)")
        #expect(result.stderr.contains(path))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingFilesAndURLsAreClearErrors() async throws {
        let missing = try await netprobe.run(["derpmap", "show", "--derp-map", "/nonexistent/derpmap.json"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/derpmap.json: no such file"))
        let url = try await netprobe.run(["derpmap", "show", "--derp-map", "https://127.0.0.1:9/derpmap"])
        #expect(url.status == 1 && url.stderr.contains("https://127.0.0.1:9/derpmap"), "\(url.stderr)")
        let scheme = try await netprobe.run(["derpmap", "show", "--derp-map", "ftp://127.0.0.1/x"])
        #expect(scheme.status == 2 && scheme.stderr.contains("unsupported URL scheme"))
    }

    @Test func mapsAreFetchedFromHTTPURLs() async throws {
        let map = #"{"Regions":{"900":{"RegionID":900,"RegionCode":"fetched","RegionName":"Fetched","Nodes":[{"Name":"900a","RegionID":900,"HostName":"127.0.0.1","IPv4":"127.0.0.1"}]}}}"#
        let server = try await TestWebhook.start(reply: .answer(status: 200, body: map))
        defer { Task { await server.stop() } }
        let shown = try await netprobe.run(["derpmap", "show", "--derp-map", "http://127.0.0.1:\(server.port)/derpmap/default"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("fetched"))
        #expect(server.requests.first?.requestLine == "GET /derpmap/default HTTP/1.1")
        server.setReply(.answer(status: 404, body: "not here"))
        let missing = try await netprobe.run(["derpmap", "show", "--derp-map", "http://127.0.0.1:\(server.port)/x"])
        #expect(missing.status == 1 && missing.stderr.contains("HTTP status 404"), "\(missing.stderr)")
    }

    // MARK: validate --probe (loopback only)

    @Test func probeChecksSTUNTLSAndDERPAgainstLocalServers() async throws {
        let relay = try await TestRelay.start()
        let stun = try await LoopbackUDP.start(answeringSTUN: true)
        let silent = try await LoopbackUDP.start(answeringSTUN: false)
        defer {
            Task {
                await relay.stop()
                await stun.stop()
                await silent.stop()
            }
        }
        let pin = relay.certificate.pin.description
        func map(pin: String, stunPort: Int, derpPort: Int? = nil) throws -> String {
            try TemporaryFile.write(#"""
                {"Regions":{"900":{"RegionID":900,"RegionCode":"local","RegionName":"Loopback","Nodes":[{"Name":"900a","RegionID":900,"HostName":"127.0.0.1","CertName":"\#(pin)","IPv4":"127.0.0.1","IPv6":"none","STUNPort":\#(stunPort),"DERPPort":\#(derpPort ?? relay.port)}]}}}
                """#)
        }

        let good = try await netprobe.run(["derpmap", "validate", "--probe", "--verbose", "--derp-map", try map(pin: pin, stunPort: stun.port)])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("ok: region 900, node \"900a\": STUN 127.0.0.1:\(stun.port) answered"))
        #expect(good.stdout.contains("ok: region 900, node \"900a\": DERP 127.0.0.1:\(relay.port): TLS and DERP handshake"))
        #expect(good.stdout.contains("server key \(relay.server.publicKey)"))

        let otherPin = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1").pin.description
        let wrongPin = try await netprobe.run(["derpmap", "validate", "--probe", "--derp-map", try map(pin: otherPin, stunPort: -1)])
        #expect(wrongPin.status == 1)
        let pinErrors = wrongPin.stdout.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(pinErrors.count == 1)
        #expect(pinErrors.first?.contains("DERP 127.0.0.1:\(relay.port): TLS: cert hash does not match") == true, "\(wrongPin.stdout)")

        let closed = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let closedPort = closed.localAddress?.port ?? 0
        try await closed.close()
        let refused = try await netprobe.run(["derpmap", "validate", "--probe", "--derp-map", try map(pin: pin, stunPort: -1, derpPort: closedPort)])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("error: region 900, node \"900a\": DERP 127.0.0.1:\(closedPort): connect: "), "\(refused.stdout)")

        let noAnswer = try await netprobe.run(["derpmap", "validate", "--probe", "--stun-timeout", "0.3", "--derp-map", try map(pin: pin, stunPort: silent.port)])
        #expect(noAnswer.status == 1)
        let stunErrors = noAnswer.stdout.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(stunErrors == ["error: region 900, node \"900a\": STUN 127.0.0.1:\(silent.port): no answer within 300ms"])
    }
}

/// The wrapper for the policy `derpMap` section, decoded with DERPMap's own (case-insensitive) decoder.
private struct PolicyFile: Decodable {
    let derpMap: DERPMap
}

/// The `netprobe` executable `swift build` made next to this test bundle (or `NETPROBE_BINARY`).
struct NetprobeExecutable: Sendable {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let url: URL

    init() throws {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["NETPROBE_BINARY"] {
            candidates.append(URL(fileURLWithPath: path))
        }
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("netprobe"))
            if let executable = bundle.executableURL {
                candidates.append(executable.deletingLastPathComponent().appendingPathComponent("netprobe"))
            }
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/netprobe"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure(description: "netprobe executable not found (run swift build first); searched " + candidates.map(\.path).joined(separator: ", "))
        }
        url = found
    }

    /// Runs netprobe with `arguments`; standard input is `stdin`, or empty. Fails after `timeout`.
    func run(_ arguments: [String], stdin: Data? = nil, timeout: Duration = .seconds(60)) async throws -> Output {
        let directory = try TemporaryFile.directory()
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("\(id).out")
        let errURL = directory.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: try TemporaryFile.write(String(decoding: stdin, as: UTF8.self))))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        let status = await withTaskGroup(of: Int32?.self) { tasks in
            tasks.addTask { await exits.first { _ in true } }
            tasks.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await tasks.next() ?? nil
            tasks.cancelAll()
            return first
        }
        guard let status else {
            process.terminate()
            throw Failure(description: "netprobe \(arguments.joined(separator: " ")) did not exit within \(timeout)")
        }
        return Output(
            status: status,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }
}

/// Files for maps under one temporary directory per test process.
enum TemporaryFile {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("netprobe-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to a new file and returns its path.
    static func write(_ text: String) throws -> String {
        let url = try directory().appendingPathComponent("\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

/// A UDP socket on 127.0.0.1 that either answers Tailscale STUN requests or stays silent.
final class LoopbackUDP: Sendable {
    let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start(answeringSTUN: Bool) async throws -> LoopbackUDP {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if answeringSTUN {
                        try channel.pipeline.syncOperations.addHandler(TestSTUNResponder())
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return LoopbackUDP(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Answers every Tailscale-style Binding request with the sender's address.
private final class TestSTUNResponder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        guard let id = STUNMessage.tailscaleRequestTransactionID(request.data),
            let mapped = STUNAddress(request.remoteAddress),
            let reply = try? STUNMessage.bindingSuccessResponse(transactionID: id, mapped: mapped).encoded(fingerprint: true)
        else { return }
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: request.remoteAddress, data: reply)), promise: nil)
    }
}

@available(*, unavailable)
extension TestSTUNResponder: Sendable {}
