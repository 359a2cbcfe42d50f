import Foundation

/// A condition `netprobe report --require` checks (CI semantics): the report must show it, or
/// netprobe exits 1 and prints what failed with the measured value.
package enum NetcheckRequirement: String, Hashable, Sendable, CaseIterable, Codable {
    /// A STUN reply arrived (`UDP`).
    case udp
    /// IPv4 works (`IPv4`).
    case ipv4
    /// IPv6 works (`IPv6`).
    case ipv6
    /// A packet went through the preferred region's derper and back.
    case derp
    /// The NAT verdict is `none` or `easy`, so direct connections are expected to work.
    case direct
    /// UPnP, NAT-PMP or PCP answered on the gateway.
    case portmap

    package struct ParseError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Parses `--require` values: each comma-separated, repeatable; duplicates count once and
    /// the order of first mention is kept.
    package static func parseList(_ values: [String]) throws(ParseError) -> [NetcheckRequirement] {
        var result: [NetcheckRequirement] = []
        for value in values {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let name = item.trimmingCharacters(in: .whitespaces).lowercased()
                guard let requirement = NetcheckRequirement(rawValue: name) else {
                    let valid = allCases.map(\.rawValue).joined(separator: ", ")
                    let shown = name.isEmpty ? "an empty value" : "\"\(name)\""
                    throw ParseError(description: "unknown requirement \(shown); valid: \(valid)")
                }
                if !result.contains(requirement) { result.append(requirement) }
            }
        }
        return result
    }
}
