import Foundation
import NIOCore
import NIOHTTP1

/// Captive-portal detection with the map's own nodes (spec/netcheck.md §5, derp.md §13): plain
/// HTTP `GET /generate_204` to nodes that promise port 80 (`CanPort80`) and have an `IPv4`
/// literal, with Tailscale's challenge header. Never any host outside the map.
///
/// A portal is detected when a node answers with a status other than 204, or without the
/// response header `X-Tailscale-Response: response ts_<IPv4>`. Connection errors are not
/// evidence either way.
enum NetcheckCaptivePortal {
    /// How many endpoints are tried (concurrently), as in Tailscale.
    static let endpointLimit = 5

    struct Endpoint: Hashable, Sendable {
        var regionID: Int
        var node: String
        var ipv4: String
    }

    struct Result: Sendable {
        /// nil when no endpoint could be checked.
        var captive: Bool?
        /// What decided it, in words.
        var detail: String
    }

    /// The endpoints in Tailscale's order: nodes of `home` first, then the rest (by region ID);
    /// `Avoid` and `NoMeasureNoHome` regions excluded; at most ``endpointLimit``.
    static func endpoints(in regions: [DERPRegion], home: Int) -> [Endpoint] {
        let eligible = regions.filter { !$0.avoid && !$0.noMeasureNoHome }.sorted { $0.regionID < $1.regionID }
        let ordered = eligible.filter { $0.regionID == home } + eligible.filter { $0.regionID != home }
        var endpoints: [Endpoint] = []
        for region in ordered {
            for node in region.nodes where node.canPort80 {
                guard case .literal(let ipv4) = node.ipv4Usage else { continue }
                endpoints.append(Endpoint(regionID: region.regionID, node: node.name, ipv4: ipv4))
            }
        }
        return Array(endpoints.prefix(endpointLimit))
    }

    /// Checks `endpoints` concurrently. `port` is 80 except in tests.
    static func check(
        _ endpoints: [Endpoint], port: Int, deadline: NIODeadline, group: any EventLoopGroup
    ) async -> Result? {
        guard !endpoints.isEmpty else { return nil }
        let outcomes = await withTaskGroup(of: (Endpoint, Outcome).self) { tasks in
            for endpoint in endpoints {
                tasks.addTask { (endpoint, await probe(endpoint, port: port, deadline: deadline, group: group)) }
            }
            var outcomes: [(Endpoint, Outcome)] = []
            for await outcome in tasks { outcomes.append(outcome) }
            return outcomes
        }
        if let (endpoint, outcome) = outcomes.first(where: { if case .portal = $0.1 { true } else { false } }),
            case .portal(let why) = outcome
        {
            return Result(captive: true, detail: "node \(endpoint.node) (\(endpoint.ipv4)): \(why)")
        }
        let clean = outcomes.filter { if case .clean = $0.1 { true } else { false } }.map(\.0.node)
        if !clean.isEmpty {
            return Result(captive: false, detail: "/generate_204 answered correctly by \(clean.sorted().joined(separator: ", "))")
        }
        let errors = outcomes.compactMap { endpoint, outcome -> String? in
            if case .error(let why) = outcome { return "\(endpoint.node): \(why)" }
            return nil
        }
        return Result(captive: nil, detail: "no node answered /generate_204 (\(errors.joined(separator: "; ")))")
    }

    private enum Outcome: Sendable {
        case clean
        case portal(String)
        case error(String)
    }

    private static func probe(_ endpoint: Endpoint, port: Int, deadline: NIODeadline, group: any EventLoopGroup) async -> Outcome {
        let challenge = "ts_\(endpoint.ipv4)"
        let address: SocketAddress
        guard (1...65535).contains(port) else { return .error("port \(port) is not usable") }
        do {
            address = try SocketAddress(ipAddress: endpoint.ipv4, port: port)
        } catch {
            return .error("\(error)")
        }
        let seconds = Int(Date().timeIntervalSince1970)
        do {
            let response = try await NetcheckHTTPExchange.run(
                to: address, hostHeader: port == 80 ? endpoint.ipv4 : "\(endpoint.ipv4):\(port)",
                path: "/generate_204?t=\(seconds)",
                headers: [
                    ("Cache-Control", "no-cache, no-store, must-revalidate, no-transform, max-age=0"),
                    ("X-Tailscale-Challenge", challenge),
                ],
                tls: nil, deadline: deadline, group: group)
            guard response.status == 204 else {
                return .portal("/generate_204 answered \(response.status) instead of 204")
            }
            let expected = "response \(challenge)"
            guard response.headers["X-Tailscale-Response"].first == expected else {
                return .portal("/generate_204 lacked the header X-Tailscale-Response: \(expected)")
            }
            return .clean
        } catch {
            return .error("\(error)")
        }
    }
}
