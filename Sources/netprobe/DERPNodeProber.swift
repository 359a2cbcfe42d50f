import NIOCore
import RelayCore

/// `derpmap validate --probe`: checks that every node of a map answers as a client expects.
///
/// For each address of a node (the `IPv4`/`IPv6` literal, or `HostName` looked up in DNS when
/// the field is empty; never a family set to `none`):
/// - STUN, unless `STUNPort` is negative: a Binding request to the STUN port (or to
///   `STUNTestIP`), which must be answered within the STUN timeout;
/// - DERP, unless `STUNOnly`: TCP, TLS checked as `CertName` says (WebPKI for `HostName`, for
///   the `CertName` DNS name, or the `sha256-raw:` pin), the HTTP upgrade and the DERP handshake.
struct DERPNodeProber: Sendable {
    struct Finding: Sendable {
        var isProblem: Bool
        var text: String
    }

    var families: [HostResolver.Family]
    var stunTimeout: Duration
    var connectTimeout: Duration
    var group: any EventLoopGroup

    /// Probes every node of `map`, at most `concurrency` at a time; findings in map order.
    func probe(_ map: DERPMap, concurrency: Int = 8) async -> [Finding] {
        let nodes = map.regionIDs.flatMap { id in (map.regions[id]?.nodes ?? []).map { (id, $0) } }
        var results = Array(repeating: [Finding](), count: nodes.count)
        await withTaskGroup(of: (Int, [Finding]).self) { tasks in
            var next = 0
            func startNext() {
                guard next < nodes.count else { return }
                let index = next
                let (regionID, node) = nodes[index]
                next += 1
                tasks.addTask { (index, await self.probe(node, regionID: regionID)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (index, findings) = await tasks.next() {
                results[index] = findings
                startNext()
            }
        }
        return results.flatMap { $0 }
    }

    /// Every finding for one node.
    func probe(_ node: DERPNode, regionID: Int) async -> [Finding] {
        let location = "region \(regionID), node \(ProbeText.quoted(node.name))"
        var findings: [Finding] = []
        func problem(_ text: String) { findings.append(Finding(isProblem: true, text: "error: \(location): \(text)")) }
        func fine(_ text: String) { findings.append(Finding(isProblem: false, text: "ok: \(location): \(text)")) }

        let stunPort = node.effectiveSTUNPort.flatMap { (1...65535).contains($0) ? $0 : nil }
        let derpPort = (1...65535).contains(node.effectiveDERPPort) ? node.effectiveDERPPort : nil
        if node.effectiveSTUNPort != nil, stunPort == nil { problem("STUNPort \(node.stunPort) cannot be probed") }
        if !node.stunOnly, derpPort == nil { problem("DERPPort \(node.derpPort) cannot be probed") }

        let (addresses, lookupFailures) = await addresses(of: node)
        if addresses.isEmpty {
            if !lookupFailures.isEmpty {
                problem("cannot resolve HostName \(ProbeText.quoted(node.hostName)): " + lookupFailures.joined(separator: "; "))
            } else if families.count == 2 {
                problem("no address to probe: IPv4 and IPv6 are both disabled")
            } else {
                fine("skipped: no \(families.map(\.rawValue).joined()) address")
            }
            return findings
        }
        for failure in lookupFailures {
            fine("HostName lookup: \(failure)")
        }

        if let stunPort {
            let stunTargets = node.stunTestIP.isEmpty ? addresses : [node.stunTestIP]
            for address in stunTargets {
                let label = "STUN \(Self.endpoint(address, stunPort))"
                do {
                    let server = try SocketAddress(ipAddress: address, port: stunPort)
                    let answer = try await STUNProbe.run(to: server, timeout: stunTimeout, group: group)
                    fine("\(label) answered in \(ProbeText.duration(answer.roundTrip)), mapped address \(answer.mappedAddress)")
                } catch {
                    problem("\(label): \(error)")
                }
            }
        }
        if !node.stunOnly, let derpPort {
            for address in addresses {
                let label = "DERP \(Self.endpoint(address, derpPort))"
                do {
                    let success = try await DERPHandshakeProbe.run(node: node, address: address, timeout: connectTimeout, group: group)
                    fine("\(label): TLS and DERP handshake in \(ProbeText.duration(success.duration)), server key \(success.serverKey)")
                } catch {
                    problem("\(label): \(error)")
                }
            }
        }
        return findings
    }

    /// The addresses to probe in the selected families, and the DNS failures met on the way.
    private func addresses(of node: DERPNode) async -> (addresses: [String], failures: [String]) {
        var addresses: [String] = []
        var failures: [String] = []
        for family in families {
            switch family == .ipv4 ? node.ipv4Usage : node.ipv6Usage {
            case .literal(let address):
                addresses.append(address)
            case .disabled:
                continue
            case .resolveHostName:
                do {
                    if let first = try await HostResolver.firstAddress(of: node.hostName, family: family) {
                        addresses.append(first)
                    }
                } catch {
                    failures.append("\(family.rawValue): \(error)")
                }
            }
        }
        return (addresses, failures)
    }

    /// `192.0.2.1:3478`, `[2001:db8::1]:3478`.
    static func endpoint(_ address: String, _ port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
