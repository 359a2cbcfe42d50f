/// The bound addresses of one STUN server: the primary IP1:P1 and, for RFC 5780, an alternate port
/// P2 and/or an alternate IP address IP2 (so up to four sockets; see `STUNServerSocket`).
///
/// Every address is concrete (no wildcard, no port 0): the server builds this after binding.
/// With both alternates the server is a full RFC 5780 server (OTHER-ADDRESS = IP2:P2). With one of
/// them it honours only the CHANGE-REQUEST flag it can and sends no OTHER-ADDRESS, because RFC 5780
/// §6 ties OTHER-ADDRESS to having both a second address and a second port.
package struct STUNServerEndpoints: Hashable, Sendable, CustomStringConvertible {
    /// IP1:P1.
    package let primary: STUNAddress
    /// P2.
    package let alternatePort: UInt16?
    /// IP2, stored with port P1.
    package let alternateIP: STUNAddress?

    /// - Throws: if IP2 is of another family than IP1 or equals it, or P2 equals P1. IPv4-mapped IPv6
    ///   addresses are taken as IPv4.
    package init(primary: STUNAddress, alternatePort: UInt16? = nil, alternateIP: STUNAddress? = nil) throws(STUNServerError) {
        let primary = primary.unmapped
        if let alternatePort, alternatePort == primary.port {
            throw .alternatePortIsPrimary(Int(alternatePort))
        }
        var alternate = alternateIP?.unmapped
        alternate?.port = primary.port
        if let alternate {
            guard alternate.family == primary.family else {
                throw .alternateFamilyMismatch(
                    primary: primary.addressDescription, alternate: alternate.addressDescription)
            }
            guard alternate != primary else { throw .alternateAddressIsPrimary(alternate.addressDescription) }
        }
        self.primary = primary
        self.alternatePort = alternatePort
        self.alternateIP = alternate
    }

    /// Whether any RFC 5780 socket is configured. Then responses carry MAPPED-ADDRESS and
    /// RESPONSE-ORIGIN as well as XOR-MAPPED-ADDRESS.
    package var isRFC5780: Bool { alternatePort != nil || alternateIP != nil }

    /// Whether responses carry OTHER-ADDRESS: only with both a second IP and a second port.
    package var hasOtherAddress: Bool { alternatePort != nil && alternateIP != nil }

    /// The sockets this server has, primary first.
    package var sockets: [STUNServerSocket] {
        STUNServerSocket.allCases.filter { address(of: $0) != nil }
    }

    /// The address `socket` is bound to, or nil if this server does not have that socket.
    package func address(of socket: STUNServerSocket) -> STUNAddress? {
        var address = primary
        if socket.usesAlternateIP {
            guard let alternateIP else { return nil }
            address = alternateIP
        }
        if socket.usesAlternatePort {
            guard let alternatePort else { return nil }
            address.port = alternatePort
        }
        return address
    }

    package var description: String {
        sockets.compactMap { socket in address(of: socket).map { "\(socket) \($0)" } }.joined(separator: ", ")
    }
}
