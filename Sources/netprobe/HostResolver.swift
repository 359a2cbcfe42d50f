import NIOCore
import NIOPosix
import RelayCore

/// DNS lookups for `validate --probe`, delegated to RelayCore's resolver (the one the report uses).
enum HostResolver {
    enum Family: String {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"
    }

    /// The first address of `host` in `family` as an IP literal.
    ///
    /// - Throws: the resolver's one-line reason when there is none, or after 5 seconds.
    static func firstAddress(of host: String, family: Family) async throws -> String? {
        let address = try await NetcheckResolver.firstAddress(
            of: host, family: family == .ipv4 ? .ipv4 : .ipv6, port: 0,
            deadline: .now() + .seconds(5), on: MultiThreadedEventLoopGroup.singleton.next())
        return address.ipAddress
    }
}
