/// Why a NAT-PMP, PCP or SSDP datagram could not be decoded, or a port-mapping probe could not run.
///
/// The decoders throw these for peer input and never trap. A probe that ran but heard nothing is
/// not an error: it returns a `PortMappingResult` with every protocol false.
package enum PortMappingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The protocol a codec error is about.
    package enum Wire: String, Hashable, Sendable {
        case natPMP = "NAT-PMP"
        case pcp = "PCP"
        case ssdp = "SSDP"
    }

    /// Fewer bytes than the message's fixed layout needs.
    case truncated(Wire)
    /// The version byte is not this protocol's (0 for NAT-PMP, 2 for PCP).
    case unsupportedVersion(Wire, UInt8)
    /// A PCP message shorter than 24, longer than 1,100 or not a multiple of 4 bytes (RFC 6887 §7).
    case badLength(Wire, Int)
    /// A field or option overruns the message, or a value is out of range.
    case malformed(Wire, String)
    /// An SSDP datagram that is not UTF-8 text with an HTTP-style start line and headers.
    case notHTTP
    /// The gateway (or the address to bind or reach it from) is not an IPv4 address.
    case notIPv4(String)
    /// The probe socket could not be opened, or the gateway has no route.
    case socket(String)

    package var description: String {
        switch self {
        case .truncated(let wire):
            return "\(wire.rawValue) message is truncated"
        case .unsupportedVersion(let wire, let version):
            return "\(wire.rawValue) message has version \(version)"
        case .badLength(let wire, let length):
            return "\(wire.rawValue) message length \(length) is not allowed"
        case .malformed(let wire, let reason):
            return "\(wire.rawValue) message is malformed: \(reason)"
        case .notHTTP:
            return "SSDP datagram is not an HTTP-style message"
        case .notIPv4(let text):
            return "port mapping needs an IPv4 gateway, got \(text)"
        case .socket(let reason):
            return "port-mapping probe socket failed: \(reason)"
        }
    }
}
