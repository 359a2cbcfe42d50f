/// Which address families this host can probe DERP servers over, judged from its interface
/// addresses (``LocalInterfaceAddresses``, which the NAT classifier gets too).
package enum NetcheckLocalInterfaces {
    /// The families with a usable non-loopback address (IPv6 link-local addresses do not count:
    /// they reach no DERP server).
    package static func families(_ interfaces: [NATLocalInterface]) -> Set<NATAddressFamily> {
        var families: Set<NATAddressFamily> = []
        for interface in interfaces where !interface.address.isLoopback && !interface.address.isIPv6LinkLocal {
            families.insert(interface.address.family)
        }
        return families
    }
}
