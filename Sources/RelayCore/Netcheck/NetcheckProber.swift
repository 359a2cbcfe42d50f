import Foundation
import NIOCore
import NIOPosix

/// Runs one report: every probe concurrently under one deadline (spec/netcheck.md §1).
///
/// ```
/// t=0        STUN plan, hairpin test (after the first IPv4 reply), HTTPS latency and certificate
///            of every DERP node, captive-portal check, port-mapping probe, OS IPv6 check
/// phase end  (all STUN sets answered and HTTPS probes done, or min(3 s, 60 % of the timeout))
///            latencies -> preferred region (HTTPS where a region gave no STUN reply)
///            DERP round trip through the preferred region, until the deadline
/// deadline   captive portal and port mapping collected; the NAT classifier judges the STUN
///            transactions; the report is stamped
/// ```
///
/// Nothing here throws: an unreachable host, a refused certificate or a silent region becomes a
/// field, an `error` and a warning of the report.
package struct NetcheckProber: Sendable {
    package var configuration: NetcheckConfiguration
    package var group: any EventLoopGroup

    package init(configuration: NetcheckConfiguration, group: any EventLoopGroup) {
        self.configuration = configuration
        self.group = group
    }

    /// What the probes found, before it becomes a report.
    struct Findings: Sendable {
        var started: Date
        var interfaces: [NATLocalInterface] = []
        var osHasIPv6 = false
        var stun = NetcheckSTUNResults()
        var unresolved: [Int: [String]] = [:]
        var nodes: [NetcheckNodeProbe.Result] = []
        var captivePortal: NetcheckCaptivePortal.Result?
        var portMapping: PortMappingEvidence?
        var roundTrip = NetcheckRoundTripResult()
    }

    package func run(history: NetcheckHistory = NetcheckHistory()) async -> NetcheckReport {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount(configuration.timeout)
        let phaseEnd = NIODeadline.now() + TimeAmount(min(configuration.stunPhaseLimit, configuration.timeout * 0.6))
        let regions = configuration.probedRegions
        let started = Date()
        var findings = Findings(started: started)
        findings.interfaces = LocalInterfaceAddresses.current()

        async let osHasIPv6 = Self.osHasIPv6(group: group)
        async let portMapping = configuration.portMappingProbe?(TimeAmount(configuration.timeout))
        let endpoints = configuration.captivePortal
            ? NetcheckCaptivePortal.endpoints(in: regions, home: history.previousPreferred) : []
        async let captivePortal = NetcheckCaptivePortal.check(
            endpoints, port: configuration.captivePortalPort, deadline: deadline, group: group)
        async let nodes = configuration.httpsProbes
            ? probeNodes(regions, now: started, deadline: phaseEnd) : []
        (findings.stun, findings.unresolved) = await probeSTUN(
            regions, families: NetcheckLocalInterfaces.families(findings.interfaces), deadline: phaseEnd)
        findings.nodes = await nodes

        let latencies = Self.regionLatencies(findings)
        let preferred = NetcheckPreferredRegion.choose(
            current: latencies.all, recent: history.recentLatencies(at: clock.now),
            previous: history.previousPreferred, scores: configuration.map.homeParams?.regionScore)
        if let region = regions.first(where: { $0.regionID == preferred }) {
            findings.roundTrip = configuration.derpRoundTrip
                ? await NetcheckDERPRoundTrip.run(region, deadline: deadline, group: group)
                : NetcheckRoundTripResult(region: region.regionID, code: region.regionCode, error: "not attempted (disabled)")
        } else {
            findings.roundTrip.error = regions.isEmpty
                ? "the map has no region to probe" : "no preferred region: no region answered over STUN or HTTPS"
        }
        findings.captivePortal = await captivePortal
        findings.portMapping = await portMapping
        findings.osHasIPv6 = await osHasIPv6
        return assemble(findings, regions: regions, preferred: preferred, duration: clock.now - start)
    }

    // MARK: Probes

    private func probeSTUN(
        _ regions: [DERPRegion], families: Set<NATAddressFamily>, deadline: NIODeadline
    ) async -> (NetcheckSTUNResults, [Int: [String]]) {
        let plan = NetcheckSTUNPlan(regions: regions, families: families)
        let codes = Dictionary(regions.map { ($0.regionID, $0.regionCode) }, uniquingKeysWith: { first, _ in first })
        let loop = group.next()
        let resolved = await withTaskGroup(of: (Int, Result<NetcheckSTUNSession.Target, any Error>).self) { tasks in
            for (index, probe) in plan.probes.enumerated() {
                tasks.addTask {
                    do {
                        let address = try await NetcheckNodeAddress.stun(
                            probe.node, family: probe.family, port: probe.port, deadline: deadline, loop: loop)
                        let name = "\(probe.node.name) (\(codes[probe.regionID] ?? String(probe.regionID)))"
                        return (index, .success(NetcheckSTUNSession.Target(probe: probe, address: address, serverName: name)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<NetcheckSTUNSession.Target, any Error>)] = []
            for await result in tasks { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var unresolved: [Int: [String]] = [:]
        var targets: [NetcheckSTUNSession.Target] = []
        for (probe, result) in zip(plan.probes, resolved) {
            switch result {
            case .success(let target): targets.append(target)
            case .failure(let error):
                let text = "STUN \(probe.family) to \(probe.node.name): \(error)"
                if !(unresolved[probe.regionID] ?? []).contains(text) { unresolved[probe.regionID, default: []].append(text) }
            }
        }
        let results = await NetcheckSTUNSession.run(
            targets: targets, hairpin: configuration.hairpin, deadline: deadline, group: group)
        return (results, unresolved)
    }

    private func probeNodes(_ regions: [DERPRegion], now: Date, deadline: NIODeadline) async -> [NetcheckNodeProbe.Result] {
        let nodes = regions.flatMap { region in region.nodes.filter { !$0.stunOnly }.map { (region.regionID, $0) } }
        return await withTaskGroup(of: (Int, NetcheckNodeProbe.Result).self) { tasks in
            for (index, (regionID, node)) in nodes.enumerated() {
                tasks.addTask {
                    (index, await NetcheckNodeProbe.run(node, regionID: regionID, now: now, deadline: deadline, group: group))
                }
            }
            var results: [(Int, NetcheckNodeProbe.Result)] = []
            for await result in tasks { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Tailscale's `OSHasIPv6`: a UDP socket can be bound to `[::1]:0`.
    private static func osHasIPv6(group: any EventLoopGroup) async -> Bool {
        guard let channel = try? await DatagramBootstrap(group: group).bind(host: "::1", port: 0).get() else {
            return false
        }
        try? await channel.close()
        return true
    }
}
