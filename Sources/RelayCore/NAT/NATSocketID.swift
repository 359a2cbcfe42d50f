/// Which local UDP socket of a probe run sent a request (spec/nat.md §7, DESIGN.md "Probes").
///
/// - `mapping`: one per family, shared by every mapping test so that mappings are comparable.
/// - `filteringChangeIPAndPort`, `filteringChangePort`: fresh sockets that contact nothing but the
///   RFC 5780 server under test, one per filtering test (stun.md §6.4, §6.5).
/// - `hairpin`: a second socket that sends to the mapping socket's public address (stun.md §6.7).
///
/// JSON form: `"mapping-v4"`, `"filtering-ip-port-v6"`, …
package struct NATSocketID: Hashable, Sendable, CustomStringConvertible {
    package enum Role: String, Hashable, Sendable, CaseIterable {
        case mapping
        case filteringChangeIPAndPort = "filtering-ip-port"
        case filteringChangePort = "filtering-port"
        case hairpin
    }

    package var role: Role
    package var family: NATAddressFamily

    package init(_ role: Role, _ family: NATAddressFamily) {
        self.role = role
        self.family = family
    }

    package var description: String { "\(role.rawValue)-\(family.shortName)" }

    /// Every socket a run may use.
    package static var all: [NATSocketID] {
        NATAddressFamily.allCases.flatMap { family in Role.allCases.map { NATSocketID($0, family) } }
    }
}

extension NATSocketID: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let match = NATSocketID.all.first(where: { $0.description == text }) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown socket \"\(text)\"")
        }
        self = match
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
