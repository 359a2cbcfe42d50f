/// The one-word summary (spec/nat.md §6, §7.8), the JSON `natType` field.
package enum NATType: String, Hashable, Sendable, Codable, CaseIterable {
    /// No translation (a firewall may still filter).
    case none
    /// Endpoint-independent mapping, any filtering.
    case easy
    /// Mapping varies by destination.
    case hard
    /// No STUN server answered over UDP (at least two were tried).
    case blocked
    /// Not enough evidence.
    case unknown

    /// Whether this is a verdict (exit status 0 in `stunner`).
    package var isVerdict: Bool {
        self == .none || self == .easy || self == .hard
    }
}
