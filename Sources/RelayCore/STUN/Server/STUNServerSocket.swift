/// One of the up to four sockets of a STUN server, named by which of its two IP addresses and two
/// ports it uses (RFC 5780 §6.1):
///
/// | socket | address |
/// | --- | --- |
/// | `primary` | IP1:P1 |
/// | `alternatePort` | IP1:P2 |
/// | `alternateAddress` | IP2:P1 |
/// | `alternateBoth` | IP2:P2 |
///
/// A server without RFC 5780 has only `primary`. The raw value is a bit set: bit 0 is "alternate
/// port", bit 1 is "alternate IP".
package enum STUNServerSocket: Int, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case primary = 0b00
    case alternatePort = 0b01
    case alternateAddress = 0b10
    case alternateBoth = 0b11

    package init(alternateIP: Bool, alternatePort: Bool) {
        // Two bits always name one of the four cases.
        self = Self(rawValue: (alternateIP ? 0b10 : 0) | (alternatePort ? 0b01 : 0)) ?? .primary
    }

    /// Whether this socket is bound to the alternate IP address (IP2).
    package var usesAlternateIP: Bool { rawValue & 0b10 != 0 }
    /// Whether this socket is bound to the alternate port (P2).
    package var usesAlternatePort: Bool { rawValue & 0b01 != 0 }

    /// The socket a response to a request that arrived here is sent from (RFC 5780 §6.1, Table 1):
    /// "change IP" swaps the IP address and "change port" swaps the port, relative to the address the
    /// request was sent to, so a request that reached IP2:P2 asking for both is answered from IP1:P1.
    package func changed(by request: STUNChangeRequest) -> STUNServerSocket {
        STUNServerSocket(
            alternateIP: usesAlternateIP != request.contains(.changeIP),
            alternatePort: usesAlternatePort != request.contains(.changePort)
        )
    }

    /// The socket OTHER-ADDRESS names in responses to requests that arrived here: the other IP and the
    /// other port (Table 1's "Ca:Cp", whatever the flags).
    package var other: STUNServerSocket { changed(by: [.changeIP, .changePort]) }

    package var description: String {
        switch self {
        case .primary: return "primary"
        case .alternatePort: return "alt-port"
        case .alternateAddress: return "alt-address"
        case .alternateBoth: return "alt-both"
        }
    }
}
