import Foundation
import Testing

@testable import RelayCore

@Suite struct DefaultRouteTests {
    // Captured with `natlab exec client -- cat /proc/net/route` (upnp scenario), plus lines
    // added to cover a public gateway, a down route and a non-default route.
    private static let table = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        wan9\t00000000\t026433C6\t0003\t0\t0\t50\t00000000\t0\t0\t0
        down0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0
        eth0\t00000000\t0101000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
        eth0\t0001000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        garbage line

        """

    @Test func parsesDefaultRoutesInOrder() {
        let routes = DefaultRoute.parse(procNetRoute: Self.table)
        #expect(routes.map(\.interface) == ["wan9", "eth0"])
        #expect(routes.map(\.gateway.description) == ["198.51.100.2", "10.0.1.1"])
        #expect(routes.map(\.metric) == [50, 100])
    }

    @Test func picksThePrivateGateway() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("route-\(UUID().uuidString)").path
        try Self.table.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let route = try #require(DefaultRoute.privateIPv4Gateway(routeFile: file))
        #expect(route.gateway.description == "10.0.1.1")
        #expect(route.interface == "eth0")
        #expect(DefaultRoute.privateIPv4Gateway(routeFile: file + ".missing") == nil)
    }

    @Test func noDefaultRouteMeansNoGateway() {
        #expect(DefaultRoute.parse(procNetRoute: "").isEmpty)
        #expect(DefaultRoute.parse(procNetRoute: "Iface\tDestination\n").isEmpty)
    }
}
