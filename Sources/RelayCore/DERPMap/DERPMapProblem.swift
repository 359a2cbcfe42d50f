/// One finding of ``DERPMap/validate(defaultRegionIDs:)``: a rule, where it applies, and a
/// one-line message naming the region and node.
package struct DERPMapProblem: Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable, Hashable {
        /// Clients would misbehave or reject the map.
        case error
        /// Legal, but probably not what was meant.
        case warning
    }

    /// The checks, from spec/derpmap.md §2.6 plus a few of our own.
    package enum Rule: String, CaseIterable, Sendable, Hashable {
        // Errors.
        case regionKeyMismatch
        case regionIDOutOfRange
        case duplicateRegionID
        case nodeRegionMismatch
        case missingHostName
        case duplicateNodeName
        case invalidIPv4
        case invalidIPv6
        case invalidCertPin
        case portOutOfRange
        case regionRemovedAndDefined
        // Warnings.
        case noRegions
        case singleRegion
        case regionWithoutNodes
        case regionOnlySTUN
        case userRegionOutsideReservedRange
        case insecureForTests
        case avoidDeprecated
        case canPort80WithoutIPv4
        case missingNodeName
        case duplicateRegionCode
        case certPinPrefixCase
        case ignoredRegionScore
        case nullRegion

        package var severity: Severity {
            switch self {
            case .regionKeyMismatch, .regionIDOutOfRange, .duplicateRegionID, .nodeRegionMismatch,
                .missingHostName, .duplicateNodeName, .invalidIPv4, .invalidIPv6, .invalidCertPin,
                .portOutOfRange, .regionRemovedAndDefined:
                return .error
            case .noRegions, .singleRegion, .regionWithoutNodes, .regionOnlySTUN,
                .userRegionOutsideReservedRange, .insecureForTests, .avoidDeprecated,
                .canPort80WithoutIPv4, .missingNodeName, .duplicateRegionCode, .certPinPrefixCase,
                .ignoredRegionScore, .nullRegion:
                return .warning
            }
        }
    }

    package let rule: Rule
    /// The region (map key) the problem is in, if it is about a region or node.
    package let regionID: Int?
    /// The node the problem is about, if any.
    package let nodeName: String?
    /// What is wrong, without the location prefix.
    package let message: String

    package init(_ rule: Rule, regionID: Int? = nil, nodeName: String? = nil, _ message: String) {
        self.rule = rule
        self.regionID = regionID
        self.nodeName = nodeName
        self.message = message
    }

    package var severity: Severity { rule.severity }

    /// `error: region 900, node "900a": IPv4 "1.2.3" is neither empty, an IPv4 address, nor "none"`
    package var description: String {
        var location: [String] = []
        if let regionID { location.append("region \(regionID)") }
        if let nodeName { location.append("node \(Self.quoted(nodeName))") }
        let prefix = location.isEmpty ? "" : location.joined(separator: ", ") + ": "
        return "\(severity.rawValue): \(prefix)\(message)"
    }

    /// A value in double quotes with control characters made visible, so a message stays on one
    /// line whatever the input holds.
    static func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        GoJSONWriter.appendString(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Sequence<DERPMapProblem> {
    /// Whether any problem is an error.
    package var containsErrors: Bool {
        contains { $0.severity == .error }
    }
}
