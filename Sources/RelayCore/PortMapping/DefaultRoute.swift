import Foundation

/// An IPv4 default route from Linux's `/proc/net/route`, the way Tailscale finds the home
/// router to probe for port mapping (spec/nat.md §9.1).
///
/// The file is a header line and then whitespace-separated columns per route:
/// ```
/// Iface  Destination  Gateway   Flags  RefCnt  Use  Metric  Mask      MTU  Window  IRTT
/// eth0   00000000     0101000A  0003   0       0    0       00000000  0    0       0
/// ```
/// Addresses are the in-memory bytes of a network-order address printed as a host (little-endian)
/// integer, so `0101000A` is 10.0.1.1. Flags: 0x1 RTF_UP, 0x2 RTF_GATEWAY.
package struct DefaultRoute: Hashable, Sendable {
    package var interface: String
    package var gateway: PortMappingAddress
    package var metric: Int

    package init(interface: String, gateway: PortMappingAddress, metric: Int) {
        self.interface = interface
        self.gateway = gateway
        self.metric = metric
    }

    package static let procNetRoute = "/proc/net/route"
    private static let up: UInt32 = 0x1
    private static let viaGateway: UInt32 = 0x2

    /// The default routes (destination and mask 0, up, via a gateway) in the file's order, which is
    /// the kernel's lookup order. Lines that don't parse are skipped.
    package static func parse(procNetRoute text: String) -> [DefaultRoute] {
        var routes: [DefaultRoute] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8,
                let destination = UInt32(fields[1], radix: 16), destination == 0,
                let gateway = UInt32(fields[2], radix: 16), gateway != 0,
                let flags = UInt32(fields[3], radix: 16), flags & (up | viaGateway) == up | viaGateway,
                let metric = Int(fields[6]),
                let mask = UInt32(fields[7], radix: 16), mask == 0
            else { continue }
            routes.append(DefaultRoute(interface: String(fields[0]), gateway: PortMappingAddress(ipv4: UInt32(bigEndian: gateway)), metric: metric))
        }
        return routes
    }

    /// The first default route whose gateway is a private (RFC 1918) address, read from
    /// `/proc/net/route`; nil when there is none (typical in clouds) or the file can't be read
    /// (not Linux). Reads a file: call it from an async context, never on an event loop.
    package static func privateIPv4Gateway(routeFile: String = procNetRoute) -> DefaultRoute? {
        guard let text = try? String(contentsOfFile: routeFile, encoding: .utf8) else { return nil }
        return parse(procNetRoute: text).first { $0.gateway.isPrivateIPv4 }
    }
}
