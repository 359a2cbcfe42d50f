import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// stunner against real Linux NAT: `scripts/natlab/natlab` builds network namespaces (client,
/// router, optional CGNAT, "internet" with coturn and derper STUN servers on two IPs each), and
/// each test runs the built `stunner --json` inside the client namespace and checks the verdict.
///
/// Needs root, `ip netns add`, nftables and the lab's packages (`scripts/install-deps.sh test`).
/// Without them the whole suite is SKIPPED, and the reason is printed. Every lab brought up is
/// torn down again (`natlab down` kills what it started and deletes the namespaces), and every
/// child process has a deadline.
@Suite(
    "NAT lab (network namespaces)",
    .serialized,
    .timeLimit(.minutes(5)),
    .enabled("the NAT lab cannot run on this machine; the reason is printed above as 'NATLabTests SKIPPED'") {
        await NATLab.gate()
    }
)
struct NATLabTests {
    /// What stunner must report in one scenario. Nil fields are not checked.
    struct Expectation: Sendable, CustomTestStringConvertible {
        var scenario: String
        var exitStatus: Int32 = 0
        var udp = true
        var natType: String
        var mapping: String
        var filtering: String
        /// `.some(nil)` expects JSON null; nil skips the check.
        var hairpinning: Bool??
        var portMapping: Bool = false
        var testDescription: String { scenario }
    }

    static let expectations: [Expectation] = [
        // The client owns 198.51.100.2: nothing translates, nothing filters.
        .init(scenario: "no-nat", natType: "none", mapping: "none", filtering: "endpoint-independent"),
        // 1:1 static NAT with hairpin rules: a full cone that loops packets back.
        .init(scenario: "one-to-one", natType: "easy", mapping: "endpoint-independent", filtering: "endpoint-independent", hairpinning: true),
        // Linux MASQUERADE behind an OpenWrt-style firewall: EIM, APDF, no hairpinning.
        .init(scenario: "masquerade", natType: "easy", mapping: "endpoint-independent", filtering: "address-and-port-dependent", hairpinning: false),
        // --random-fully: every destination gets a new random port.
        .init(scenario: "random-fully", natType: "hard", mapping: "address-and-port-dependent", filtering: "address-and-port-dependent", hairpinning: false),
        .init(scenario: "udp-blocked", exitStatus: 1, udp: false, natType: "blocked", mapping: "unknown", filtering: "unknown", hairpinning: .some(nil)),
        // Two masquerading NATs in a row still map endpoint-independently.
        .init(scenario: "double-nat", natType: "easy", mapping: "endpoint-independent", filtering: "address-and-port-dependent", hairpinning: false),
        // miniupnpd on the router: UPnP-IGD, NAT-PMP and PCP all answer.
        .init(scenario: "upnp", natType: "easy", mapping: "endpoint-independent", filtering: "address-and-port-dependent", hairpinning: false, portMapping: true),
    ]

    @Test(arguments: expectations)
    func stunnerClassifiesTheScenario(_ expected: Expectation) async throws {
        try await NATLab.withLab(expected.scenario) { servers in
            for pair in servers {
                let run = try await NATLab.run(
                    NATLab.script.path,
                    ["run", expected.scenario, "--", try NATLab.stunner().path, "--json", "--timeout", "5",
                     "--stun-server", pair.primary, "--stun-server", pair.secondary],
                    timeout: .seconds(60)
                )
                let context = "\(expected.scenario) with \(pair.kind): exit \(run.status)\nstdout:\n\(run.stdout.prefix(4000))\nstderr:\n\(run.stderr.suffix(2000))"
                #expect(run.status == expected.exitStatus, "\(context)")
                let verdict: NATLabVerdict
                do {
                    verdict = try JSONDecoder().decode(NATLabVerdict.self, from: Data(run.stdout.utf8))
                } catch {
                    Issue.record("stunner --json did not match the schema (\(error))\n\(context)")
                    continue
                }
                check(verdict, against: expected, context: context)
            }
        }
    }

    private func check(_ verdict: NATLabVerdict, against expected: Expectation, context: String) {
        let summary = "natType=\(verdict.natType) mapping=\(verdict.mapping) filtering=\(verdict.filtering) hairpinning=\(String(describing: verdict.hairpinning))"
        #expect(verdict.udp == expected.udp, "\(summary)\n\(context)")
        #expect(verdict.natType == expected.natType, "\(summary)\n\(context)")
        #expect(verdict.mapping == expected.mapping, "\(summary)\n\(context)")
        #expect(verdict.filtering == expected.filtering, "\(summary)\n\(context)")
        if let hairpinning = expected.hairpinning {
            #expect(verdict.hairpinning == hairpinning, "\(summary)\n\(context)")
        }
        if expected.udp {
            // Every NAT in the lab, and the no-NAT client itself, is seen as the WAN address.
            #expect(verdict.publicAddress?.hasPrefix("\(NATLab.wanAddress):") == true, "\(summary)\n\(context)")
        } else {
            #expect(verdict.publicAddress == nil, "\(context)")
        }
        let mapping = verdict.portMapping
        #expect(mapping.upnp == expected.portMapping, "\(context)")
        #expect(mapping.natpmp == expected.portMapping, "\(context)")
        #expect(mapping.pcp == expected.portMapping, "\(context)")
        if expected.portMapping {
            #expect(mapping.externalAddress == NATLab.wanAddress, "\(context)")
        }
    }

    @Test func upIsIdempotentAndDownRemovesEverything() async throws {
        let script = NATLab.script.path
        for _ in 0..<2 {
            let up = try await NATLab.run(script, ["up", "masquerade"], timeout: .seconds(60))
            #expect(up.status == 0, "natlab up failed:\n\(up.stderr)")
        }
        let pids = NATLab.daemonPIDs()
        #expect(!pids.isEmpty, "natlab up recorded no daemons")
        let namespaces = try await NATLab.run("/usr/bin/env", ["ip", "netns", "list"], timeout: .seconds(10))
        for node in ["client", "router", "inet"] {
            #expect(namespaces.stdout.contains("\(NATLab.prefix)-\(node)"), "no \(node) namespace:\n\(namespaces.stdout)")
        }

        let down = try await NATLab.run(script, ["down"], timeout: .seconds(60))
        #expect(down.status == 0, "natlab down failed:\n\(down.stderr)")
        let after = try await NATLab.run("/usr/bin/env", ["ip", "netns", "list"], timeout: .seconds(10))
        #expect(!after.stdout.contains("\(NATLab.prefix)-"), "namespaces left behind:\n\(after.stdout)")
        for pid in pids {
            #expect(!NATLab.isAlive(pid), "lab process \(pid) survived natlab down")
        }
        // A second down is harmless.
        let again = try await NATLab.run(script, ["down"], timeout: .seconds(60))
        #expect(again.status == 0)
    }
}

/// The keys of `stunner --json` this suite relies on. Decoding fails if any is missing, so a
/// schema change shows up here as a failure rather than as a silently skipped check.
struct NATLabVerdict: Decodable {
    struct PortMapping: Decodable {
        var upnp: Bool
        var natpmp: Bool
        var pcp: Bool
        var externalAddress: String?
    }

    var udp: Bool
    var publicAddress: String?
    var natType: String
    var mapping: String
    var filtering: String
    var hairpinning: Bool?
    var portMapping: PortMapping

    enum CodingKeys: String, CodingKey {
        case udp, publicAddress, natType, mapping, filtering, hairpinning, portMapping, probes, ipv6
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for key in [CodingKeys.publicAddress, .hairpinning, .probes, .ipv6] where !container.contains(key) {
            throw DecodingError.keyNotFound(key, .init(codingPath: container.codingPath, debugDescription: "stunner --json must always have \(key.stringValue)"))
        }
        udp = try container.decode(Bool.self, forKey: .udp)
        publicAddress = try container.decodeIfPresent(String.self, forKey: .publicAddress)
        natType = try container.decode(String.self, forKey: .natType)
        mapping = try container.decode(String.self, forKey: .mapping)
        filtering = try container.decode(String.self, forKey: .filtering)
        hairpinning = try container.decodeIfPresent(Bool.self, forKey: .hairpinning)
        portMapping = try container.decode(PortMapping.self, forKey: .portMapping)
    }
}

/// The lab script, the binaries it drives, and a bounded process runner.
enum NATLab {
    struct ServerPair: Sendable {
        var kind: String
        var primary: String
        var secondary: String
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let wanAddress = "198.51.100.2"
    static let coturn = ServerPair(kind: "coturn", primary: "203.0.113.10", secondary: "203.0.113.11")
    static let derper = ServerPair(kind: "derper", primary: "203.0.113.20", secondary: "203.0.113.21")

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("scripts/natlab/natlab")
    /// A lab of this test process's own (namespaces `nl-t<pid>-*`), so that a lab someone brought
    /// up by hand, or another test run, is left alone.
    static let prefix = "nl-t\(getpid())"
    static let state = "/run/natlab-\(prefix)"

    /// A built executable: next to the test bundle, or in .build/debug.
    static func executable(_ name: String) -> URL? {
        var candidates: [URL] = []
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static func stunner() throws -> URL {
        guard let url = executable("stunner") else { throw Failure(description: "stunner is not built") }
        return url
    }

    /// Whether the lab can run here; prints why not, loudly, when it can't. Swift Testing asks
    /// once for the suite and once per test, so the check runs (and prints) only once.
    static func gate() async -> Bool {
        await gateCheck.value
    }

    private static let gateCheck = Task<Bool, Never> {
        guard let reason = await skipReason() else { return true }
        FileHandle.standardError.write(Data("NATLabTests SKIPPED: \(reason)\n".utf8))
        return false
    }

    private static func skipReason() async -> String? {
        guard geteuid() == 0 else { return "not running as root (the lab needs network namespaces and nftables)" }
        guard FileManager.default.isExecutableFile(atPath: script.path) else { return "\(script.path) is missing" }
        guard executable("stunner") != nil else { return "the stunner executable is not built (swift build)" }
        do {
            let check = try await run(script.path, ["check"], timeout: .seconds(30))
            guard check.status == 0 else {
                return "natlab check failed (exit \(check.status)): \(check.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
        } catch {
            return "natlab check could not run: \(error)"
        }
        return nil
    }

    /// Brings `scenario` up, runs `body` with the STUN server pairs that are running, and always
    /// tears the lab down again, printing the lab's logs if `body` threw.
    static func withLab(_ scenario: String, _ body: ([ServerPair]) async throws -> Void) async throws {
        let up = try await run(script.path, ["up", scenario], timeout: .seconds(90))
        var outcome: (any Error)?
        if up.status != 0 {
            outcome = Failure(description: "natlab up \(scenario) failed (exit \(up.status)):\n\(up.stderr)")
        } else {
            var servers = [coturn]
            if up.stdout.contains("servers=coturn,derper") {
                servers.append(derper)
            } else {
                // derper joins when its STUN server with -stun-alt-addr is built; say when it isn't.
                FileHandle.standardError.write(Data("NATLabTests: \(scenario): derper STUN not running, coturn only\n".utf8))
            }
            do {
                try await body(servers)
            } catch {
                outcome = error
            }
        }
        if outcome != nil, let logs = try? await run(script.path, ["logs"], timeout: .seconds(30)) {
            FileHandle.standardError.write(Data("natlab logs (\(scenario)):\n\(logs.stdout)\n".utf8))
        }
        let down = try await run(script.path, ["down"], timeout: .seconds(60))
        if down.status != 0 { Issue.record("natlab down failed (exit \(down.status)):\n\(down.stderr)") }
        if let outcome { throw outcome }
    }

    /// Pids of the daemons the lab recorded.
    static func daemonPIDs() -> [pid_t] {
        let directory = "\(state)/pids"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Whether `pid` runs and is not a zombie (a daemon the lab started earlier is no longer the
    /// lab's child, so after it dies it lingers as a zombie until init reaps it).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z"
    }

    /// Runs a program to completion with its output in files; after `timeout` it is killed and an
    /// error is thrown.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> Output {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("natlab-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let derper = Self.executable("derper") { environment["NATLAB_DERPER"] = derper.path }
        environment["NATLAB_PREFIX"] = prefix
        environment["NATLAB_STATE"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let (exits, exited) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()

        guard let status = await firstOf(exits, orAfter: timeout) else {
            // Whatever it started inside the lab's namespaces dies with `natlab down`.
            kill(process.processIdentifier, SIGKILL)
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        return Output(status: status, stdout: stdout, stderr: stderr)
    }

    /// The first value of `stream`, or nil once `timeout` has passed.
    private static func firstOf(_ stream: AsyncStream<Int32>, orAfter timeout: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await value in stream { return value }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
