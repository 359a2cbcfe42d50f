/// Why the STUN server could not be set up. Each case reads as one line in derper's startup error.
package enum STUNServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A listen or alternate address that is neither an IP literal nor a resolvable name.
    case invalidAddress(String, reason: String)
    /// A port outside 0...65535 (0 means "any free port").
    case invalidPort(Int)
    /// The alternate IP address has another family than the primary one.
    case alternateFamilyMismatch(primary: String, alternate: String)
    /// The alternate IP address equals the primary one; RFC 5780 needs two.
    case alternateAddressIsPrimary(String)
    /// The alternate port equals the primary port.
    case alternatePortIsPrimary(Int)
    /// Listening on every address with an alternate IP, but no other local address of its family
    /// can be its partner.
    case noPrimaryForAlternate(String)
    /// Listening on every address, but the host has no usable IP address.
    case noLocalAddresses
    /// A socket could not be bound.
    case bindFailed(address: String, reason: String)

    package var description: String {
        switch self {
        case .invalidAddress(let address, let reason):
            return "STUN address \(address) is not usable: \(reason)"
        case .invalidPort(let port):
            return "STUN port \(port) is not a number from 0 to 65535"
        case .alternateFamilyMismatch(let primary, let alternate):
            return "STUN alternate address \(alternate) and primary address \(primary) are not of the same IP family"
        case .alternateAddressIsPrimary(let address):
            return "STUN alternate address \(address) is the primary address; RFC 5780 needs a second IP"
        case .alternatePortIsPrimary(let port):
            return "STUN alternate port \(port) is the primary port; RFC 5780 needs a second port"
        case .noPrimaryForAlternate(let address):
            return "STUN alternate address \(address) has no other local address of its family to pair with"
        case .noLocalAddresses:
            return "no local IP address to bind STUN to"
        case .bindFailed(let address, let reason):
            return "cannot bind STUN socket \(address): \(reason)"
        }
    }
}
