import ArgumentParser
import NIOCore

/// The value of `--ipv4` / `--ipv6`: an address literal of the family, or `none` (never use
/// this family), as a DERP node's `IPv4` and `IPv6` fields take them.
struct NodeAddressArgument: Sendable {
    enum Family: String {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"
    }

    /// The text for the DERP node field.
    let fieldValue: String

    init(parsing text: String, family: Family) throws {
        if text == "none" {
            fieldValue = text
            return
        }
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: text, port: 0)
        } catch {
            throw ValidationError("\"\(text)\" is not an \(family.rawValue) address (or none)")
        }
        switch (family, address) {
        case (.ipv4, .v4), (.ipv6, .v6):
            fieldValue = text
        default:
            throw ValidationError("\"\(text)\" is not an \(family.rawValue) address (or none)")
        }
    }
}
