import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import RelayCore

/// `netprobe report` and `netprobe serve` against local servers only: two in-process derpers with
/// real TLS on 127.0.0.1 (regions 900 and 901, pinned with `sha256-raw:`) and derper's STUN
/// server on 127.0.0.1, described by a map written here. Nothing leaves loopback: captive-portal
/// nodes are loopback too, and port mapping is switched off where the binary runs.
@Suite(.timeLimit(.minutes(3)))
struct NetcheckTests {
    let netprobe: NetprobeExecutable

    init() throws {
        netprobe = try NetprobeExecutable()
    }

    // MARK: The JSON report, field by field

    @Test func jsonReportFieldByField() async throws {
        let lab = try await NetcheckLab.start()
        let result = try await netprobe.run(["report", "--derp-map", try lab.mapFile(), "--json", "--require", "udp,derp", "--no-port-mapping"])
        await lab.stop()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try JSONDecoder().decode(NetcheckReport.self, from: Data(result.stdout.utf8))
        let go = try JSONDecoder().decode(GoReportFields.self, from: Data(result.stdout.utf8))

        // Tailscale's fields, with Go's names, types and units.
        #expect(report.udp && report.ipv4 && report.ipv4CanSend)
        #expect(!report.ipv6 && !report.ipv6CanSend && !report.icmpv4)
        #expect(report.mappingVariesByDestIP == false, "both regions saw the same 127.0.0.1 endpoint")
        #expect(report.upnp == nil && report.pmp == nil && report.pcp == nil, "port mapping not checked -> null")
        #expect(report.captivePortal == nil, "no CanPort80 node -> not checked")
        #expect([900, 901].contains(report.preferredDERP))
        #expect(Set(go.RegionLatency.keys) == ["900", "901"])
        #expect(go.RegionLatency.values.allSatisfy { $0 > 0 }, "integer nanoseconds")
        #expect(go.RegionV4Latency == go.RegionLatency)
        #expect(go.RegionV6Latency.isEmpty)
        #expect(result.stdout.contains("\"RegionV6Latency\": {}"))
        #expect(result.stdout.contains("\"GlobalV6Counters\": null"))
        #expect(report.globalV4.hasPrefix("127.0.0.1:"))
        #expect(go.GlobalV4Counters?[report.globalV4] ?? 0 >= 2)
        #expect(report.globalV6.isEmpty)
        #expect(NetcheckTimestamp.parse(go.Now) != nil && go.Now.hasSuffix("Z"))
        let fastest = try #require(go.RegionLatency.min { $0.value < $1.value })
        #expect(go.RegionLatency[String(report.preferredDERP)] == fastest.value)

        // Ours.
        #expect(report.schemaVersion == 1)
        #expect(report.durationMs > 0 && report.timeoutMs == 5000)
        #expect(report.nat.natType == .none, "STUN saw this host's own address: no NAT")
        #expect(report.regions.map(\.id).sorted() == [900, 901])
        #expect(report.regions.allSatisfy { $0.via == .stun && $0.latencyMs != nil && $0.httpsLatencyMs != nil && $0.error == nil })
        #expect(report.regions.filter(\.preferred).map(\.id) == [report.preferredDERP])
        #expect(report.derpRoundTrip.ok && report.derpRoundTrip.region == report.preferredDERP)
        #expect((report.derpRoundTrip.rttMs ?? 0) > 0 && report.derpRoundTrip.error == nil)
        #expect(report.certificates.map(\.node) == ["900a", "901a"])
        for certificate in report.certificates {
            #expect(certificate.pinMatches == true && certificate.error == nil && certificate.host == "127.0.0.1")
            #expect((certificate.daysLeft ?? -1) > 0 && certificate.notAfter != nil)
        }
        #expect(report.requirements.map(\.requirement) == ["udp", "derp"] && report.requirements.allSatisfy(\.ok))
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        #expect(result.stderr.isEmpty)
    }

    // MARK: CI semantics

    @Test func requirementsAndExitCodes() async throws {
        let lab = try await NetcheckLab.start()
        let map = try lab.mapFile()
        let base = ["report", "--derp-map", map, "--no-port-mapping"]
        func run(_ extra: [String]) async throws -> NetprobeExecutable.Output { try await netprobe.run(base + extra) }

        let passing = try await run(["--require", "udp", "--require", "ipv4,derp,direct", "--max-latency", "10s"])
        #expect(passing.status == 0, "stderr: \(passing.stderr)")
        #expect(passing.stdout.contains("Requirements:") && passing.stdout.contains("ok   derp: a packet went through region"))

        let ipv6 = try await run(["--require", "udp,ipv6"])
        #expect(ipv6.status == 1)
        #expect(ipv6.stderr.split(separator: "\n") == ["requirement ipv6 failed: no reply over IPv6 (IPv6=false, IPv6CanSend=false, OSHasIPv6=\(ipv6.stdout.contains("OS has support")))"])

        let latency = try await run(["--max-latency", "1ns", "--json"])
        #expect(latency.status == 1)
        #expect(latency.stderr.hasPrefix("requirement max-latency failed: preferred region 90"))
        #expect(latency.stderr.contains("exceeds 1ns"))
        #expect(try JSONDecoder().decode(NetcheckReport.self, from: Data(latency.stdout.utf8)).requirements.map(\.ok) == [false])

        let portmap = try await run(["--require", "portmap"])
        #expect(portmap.status == 1 && portmap.stderr.contains("requirement portmap failed: port mapping was not checked"))

        let hurried = try await run(["--timeout", "1ns", "--json"])
        #expect(hurried.status == 0, "no requirement, so a report of nothing is still a report")
        #expect(try JSONDecoder().decode(NetcheckReport.self, from: Data(hurried.stdout.utf8)).regions.count == 2)

        let restricted = try await run(["--region", "custom2", "--json"])
        #expect(restricted.status == 0)
        let only901 = try JSONDecoder().decode(NetcheckReport.self, from: Data(restricted.stdout.utf8))
        #expect(only901.regions.map(\.id) == [901] && only901.preferredDERP == 901)

        for usage in [["--require", "udp,bogus"], ["--region", "nowhere"], ["--timeout", "soon"], ["--max-latency", "-5ms"], ["--timeout", "0s"]] {
            let result = try await run(usage)
            #expect(result.status == 2, "\(usage): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        await lab.stop()

        let broken = try TemporaryFile.write("{\"Regions\": {\"900\": {\"RegionID\": 900,,}}}")
        let brokenResult = try await netprobe.run(["report", "--derp-map", broken])
        #expect(brokenResult.status == 1)
        #expect(brokenResult.stderr.contains("line 1, column"))
        #expect(brokenResult.stderr.split(separator: "\n").count == 1)
        let empty = try await netprobe.run(["report", "--derp-map", try TemporaryFile.write("{\"Regions\": {}}")])
        #expect(empty.status == 1 && empty.stderr.contains("nothing to probe"))
    }

    // MARK: Pins

    @Test func wrongPinFailsTheDERPRequirementButNotTheRest() async throws {
        let lab = try await NetcheckLab.start()
        let wrong = "sha256-raw:" + String(repeating: "ab", count: 32)
        let map = try lab.mapFile(pins: [wrong, wrong])
        let result = try await netprobe.run(["report", "--derp-map", map, "--json", "--require", "udp,derp", "--no-port-mapping"])
        await lab.stop()
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("requirement derp failed: DERP round trip through region 90"))
        #expect(result.stderr.contains("cert hash does not match expected cert hash"))
        #expect(result.stderr.split(separator: "\n").count == 1, "udp holds: \(result.stderr)")
        let report = try JSONDecoder().decode(NetcheckReport.self, from: Data(result.stdout.utf8))
        #expect(report.udp && !report.derpRoundTrip.ok)
        for certificate in report.certificates {
            #expect(certificate.pinMatches == false)
            #expect(certificate.error?.hasPrefix("TLS: cert hash does not match") == true)
            #expect((certificate.daysLeft ?? 0) > 0, "the presented certificate is still inspected")
        }
        #expect(report.regions.allSatisfy { $0.httpsLatencyMs == nil && $0.via == .stun })
        #expect(report.warnings.contains { $0.contains("does not match the sha256-raw pin") })
    }

    @Test func rightPinOnOneRegionWrongOnTheOther() async throws {
        let lab = try await NetcheckLab.start()
        let wrong = "sha256-raw:" + String(repeating: "0", count: 64)
        var configuration = NetcheckConfiguration(map: lab.map(pins: [nil, wrong]))
        configuration.regionIDs = [900]
        let good = await NetcheckProber(configuration: configuration, group: lab.group).run()
        configuration.regionIDs = [901]
        let bad = await NetcheckProber(configuration: configuration, group: lab.group).run()
        await lab.stop()
        #expect(good.derpRoundTrip.ok && good.certificates.first?.pinMatches == true)
        #expect(!bad.derpRoundTrip.ok && bad.certificates.first?.pinMatches == false)
        #expect(NetcheckRequirementCheck(requirements: [.derp]).evaluate(good).map(\.ok) == [true])
        #expect(NetcheckRequirementCheck(requirements: [.derp]).evaluate(bad).map(\.ok) == [false])
    }

    // MARK: Partial reports

    @Test func unreachableRegionGivesAPartialReport() async throws {
        let lab = try await NetcheckLab.start()
        let closedTCP = try freeLocalPort()
        let silent = try await LoopbackUDP.start(answeringSTUN: false)
        var map = lab.map()
        map.regions[902] = DERPRegion(regionID: 902, regionCode: "dead", regionName: "Dead", nodes: [
            DERPNode(name: "902a", regionID: 902, hostName: "127.0.0.1", ipv4: "127.0.0.1", ipv6: "none",
                     stunPort: silent.port, derpPort: closedTCP),
        ])
        map.regions[903] = DERPRegion(regionID: 903, regionCode: "odd", regionName: "Odd ports", nodes: [
            DERPNode(name: "903a", regionID: 903, hostName: "127.0.0.1", ipv4: "127.0.0.1", stunPort: 99_999, derpPort: 70_000),
            DERPNode(name: "903b", regionID: 903, hostName: "127.0.0.1", ipv4: "127.0.0.1", stunPort: -1, derpPort: -443),
        ])
        var configuration = NetcheckConfiguration(map: map, timeout: .seconds(2))
        configuration.hairpin = true
        let report = await NetcheckProber(configuration: configuration, group: lab.group).run()
        await silent.stop()
        await lab.stop()
        #expect(report.udp && report.derpRoundTrip.ok)
        #expect(report.regionLatency[902] == nil && report.regionLatency[903] == nil && report.regionLatency.count == 2)
        let odd = try #require(report.regions.first { $0.id == 903 })
        #expect(odd.error?.contains("DERPPort 70000 of node 903a is not a usable port") == true, "\(odd.error ?? "")")
        #expect(odd.error?.contains("no STUN probe could be sent") == true)
        let dead = try #require(report.regions.first { $0.id == 902 })
        #expect(dead.latencyMs == nil && report.regions.suffix(2).map(\.id) == [902, 903], "unmeasured regions last, by ID")
        #expect(dead.error?.contains("no STUN reply to 3 probes") == true)
        #expect(dead.error?.contains("Connection refused") == true)
        #expect(report.warnings.contains { $0.hasPrefix("Region 902 (dead) did not answer") })
        // The hairpin packet went to this host's own (loopback) endpoint and arrived: no NAT to judge.
        #expect(report.nat.probes.contains { $0.test == .hairpin && $0.source != nil })
        #expect(report.nat.probes.contains { $0.test == .hairpinMapping && $0.mapped != nil })
        #expect(report.hairpinning == nil && report.nat.hairpinningReason.hasPrefix("not applicable"))
    }

    @Test func httpsLatencyWhenUDPIsSilent() async throws {
        let lab = try await NetcheckLab.start()
        let silent = try await LoopbackUDP.start(answeringSTUN: false)
        let map = lab.map(stunPorts: [silent.port, silent.port])
        var configuration = NetcheckConfiguration(map: map, timeout: .seconds(5))
        configuration.stunPhaseLimit = .seconds(2)
        let report = await NetcheckProber(configuration: configuration, group: lab.group).run()
        await silent.stop()
        await lab.stop()
        #expect(!report.udp && report.ipv4, "IPv4 from the HTTPS connection, as Tailscale's fallback sets it")
        #expect(report.regionV4Latency.isEmpty && report.regionLatency.count == 2)
        #expect(report.regions.allSatisfy { $0.via == .https && $0.latencyMs == $0.httpsLatencyMs })
        #expect(report.derpRoundTrip.ok && [900, 901].contains(report.preferredDERP))
        #expect(report.warnings.first == "UDP looks blocked: no STUN reply from any region; latencies come from HTTPS.")
    }

    // MARK: Captive portal

    @Test func captivePortalAsksTheMapsOwnNodes() async throws {
        let lab = try await NetcheckLab.start()
        let genuine = try await DERPListener.bind(
            DERPListener.Options(host: "127.0.0.1", port: 0, role: .httpRedirect), server: lab.relays[0].server,
            http: DERPHTTPConfiguration(), group: lab.group)
        let portal = try await NetcheckMetricsServer.bind(host: "127.0.0.1", port: 0, group: lab.group) { "" }
        var configuration = NetcheckConfiguration(map: lab.map(canPort80: true))
        configuration.captivePortalPort = try #require(genuine.localAddress?.port)
        let clean = await NetcheckProber(configuration: configuration, group: lab.group).run()
        configuration.captivePortalPort = try #require(portal.localAddress?.port)
        let captive = await NetcheckProber(configuration: configuration, group: lab.group).run()
        try await genuine.close()
        try await portal.close()
        await lab.stop()
        #expect(clean.captivePortal == false)
        #expect(captive.captivePortal == true)
        #expect(captive.captivePortalDetail?.contains("answered 404 instead of 204") == true)
        #expect(captive.warnings.contains { $0.hasPrefix("A captive portal seems to intercept HTTP") })
    }

    // MARK: serve

    @Test func serveExposesPrometheusMetrics() async throws {
        let lab = try await NetcheckLab.start()
        let serve = try ServeProcess(executable: netprobe.url, arguments: [
            "serve", "--listen", "127.0.0.1:0", "--interval", "1h", "--derp-map", try lab.mapFile(), "--no-port-mapping",
        ])
        let listening = try #require(await serve.line(containing: "metrics at http://"))
        #expect(try #require(await serve.line(containing: "report 1:")).contains("derp=ok"))
        let port = try #require(listening.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        let connection = try await RawConnection.connect(port: port, context: nil, group: lab.group)
        try await connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let response = String(decoding: await connection.readUntilClosed().bytes, as: UTF8.self)
        serve.stop()
        await lab.stop()
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        for line in [
            "netprobe_reports 1", "netprobe_udp 1", "netprobe_ipv4 1",
            "netprobe_region_latency_seconds{region=\"900\",code=\"custom\",via=\"stun\"} ",
            "netprobe_region_latency_seconds{region=\"901\",code=\"custom2\",via=\"stun\"} ",
            "netprobe_derp_round_trip_success{region=\"90", "netprobe_derp_round_trip_seconds{region=\"90",
            "netprobe_certificate_days_left{region=\"900\",node=\"900a\",host=\"127.0.0.1\"} ",
            "netprobe_certificate_pin_matches{region=\"901\",node=\"901a\",host=\"127.0.0.1\"} 1",
            "netprobe_nat_type{type=\"none\"} 1", "# TYPE netprobe_region_latency_seconds gauge",
        ] {
            #expect(response.contains("\n" + line), "missing \(line)")
        }
    }
}

/// Two derpers (regions 900 "custom" and 901 "custom2") and two STUN servers, all on 127.0.0.1.
final class NetcheckLab: Sendable {
    let relays: [TestRelay]
    let stunServers: [STUNServer]
    let stunPorts: [Int]
    var group: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

    private init(relays: [TestRelay], stunServers: [STUNServer], stunPorts: [Int]) {
        self.relays = relays
        self.stunServers = stunServers
        self.stunPorts = stunPorts
    }

    static func start() async throws -> NetcheckLab {
        var logger = Logger(label: "test.netcheck")
        logger.logLevel = .critical
        var relays: [TestRelay] = []
        var servers: [STUNServer] = []
        var ports: [Int] = []
        for _ in 0..<2 {
            relays.append(try await TestRelay.start())
            let server = STUNServer(
                configuration: STUNServerConfiguration(host: "127.0.0.1", port: 0),
                logger: logger)
            try await server.start()
            servers.append(server)
            ports.append(try #require(await server.localAddresses.first?.port))
        }
        return NetcheckLab(relays: relays, stunServers: servers, stunPorts: ports)
    }

    /// The map; a nil pin is the right one.
    func map(pins: [String?] = [nil, nil], stunPorts: [Int]? = nil, canPort80: Bool = false) -> DERPMap {
        let regions = (0..<2).map { index in
            let id = 900 + index
            let node = DERPNode(
                name: "\(id)a", regionID: id, hostName: "127.0.0.1",
                certName: pins[index] ?? CertificatePin(certificateDER: relays[index].certificate.certificateDER).description,
                ipv4: "127.0.0.1", ipv6: "none", stunPort: stunPorts?[index] ?? self.stunPorts[index],
                derpPort: relays[index].port, canPort80: canPort80)
            return DERPRegion(regionID: id, regionCode: index == 0 ? "custom" : "custom2", regionName: "Custom \(index)", nodes: [node])
        }
        return DERPMap(regions: regions)
    }

    func mapFile(pins: [String?] = [nil, nil]) throws -> String {
        try TemporaryFile.write(try map(pins: pins).jsonString(format: .indented))
    }

    func stop() async {
        for server in stunServers { await server.close() }
        for relay in relays { await relay.stop() }
    }
}

/// The Go fields whose JSON types matter: latencies must decode as integers (nanoseconds).
private struct GoReportFields: Decodable {
    var Now: String
    var RegionLatency: [String: Int64]
    var RegionV4Latency: [String: Int64]
    var RegionV6Latency: [String: Int64]
    var GlobalV4Counters: [String: Int]?
}

/// `netprobe serve` as a child process whose standard error is read line by line as it comes.
final class ServeProcess: Sendable {
    private let process: Process
    private let lines: AsyncStream<String>

    init(executable: URL, arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let pending = LineSplitter()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in pending.append(Array(data)) { continuation.yield(line) }
        }
        try process.run()
        self.process = process
        self.lines = lines
    }

    /// The next line containing `text` (earlier lines are skipped), or nil at exit or timeout.
    func line(containing text: String, timeout: Duration = .seconds(30)) async -> String? {
        let lines = self.lines
        return await withTaskGroup(of: String?.self) { tasks in
            tasks.addTask {
                for await line in lines where line.contains(text) { return line }
                return nil
            }
            tasks.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await tasks.next() ?? nil
            tasks.cancelAll()
            return first
        }
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}

/// Splits a byte stream into lines; the pipe's handler calls it from one thread at a time, the
/// lock makes that explicit.
private final class LineSplitter: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []

    func append(_ bytes: [UInt8]) -> [String] {
        lock.withLock {
            buffer += bytes
            var lines: [String] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
            return lines
        }
    }
}
