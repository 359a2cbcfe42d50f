import NIOCore
import Testing

@testable import RelayCore

/// From configuration to sockets to bind: one address, or every local address.
@Suite struct STUNServerPlanTests {
    static func socket(_ ip: String, _ port: Int = 0) throws -> SocketAddress {
        try SocketAddress(ipAddress: ip, port: port)
    }

    @Test func everyAddressHosts() {
        for host in [nil, "", "0.0.0.0", "::"] {
            #expect(STUNServerConfiguration(host: host, port: 3478).listensOnEveryAddress)
        }
        for host in ["127.0.0.1", "::1", "derp.example.com"] {
            #expect(!STUNServerConfiguration(host: host, port: 3478).listensOnEveryAddress)
        }
    }

    @Test func planForOneHost() throws {
        var configuration = STUNServerConfiguration(host: "192.0.2.1", port: 3478, alternatePort: 3479, alternateAddress: "192.0.2.2")
        let plan = try configuration.plan(host: try Self.socket("192.0.2.1"), port: 3478, alternatePort: 3479)
        #expect(plan.primary == (try Self.socket("192.0.2.1", 3478)))
        #expect(plan.alternatePort == 3479)
        #expect(plan.alternateAddress == (try Self.socket("192.0.2.2")))

        configuration.alternateAddress = "2001:db8::2"
        #expect(throws: STUNServerError.alternateFamilyMismatch(primary: "192.0.2.1", alternate: "2001:db8::2")) {
            try configuration.plan(host: try Self.socket("192.0.2.1"), port: 3478, alternatePort: nil)
        }
        configuration.alternateAddress = "192.0.2.1"
        #expect(throws: STUNServerError.alternateAddressIsPrimary("192.0.2.1")) {
            try configuration.plan(host: try Self.socket("192.0.2.1"), port: 3478, alternatePort: nil)
        }
        configuration.alternateAddress = "stun.example.com"
        #expect(throws: STUNServerError.invalidAddress("stun.example.com", reason: "not an IP address")) {
            try configuration.plan(host: try Self.socket("192.0.2.1"), port: 3478, alternatePort: nil)
        }
        configuration.alternateAddress = nil
        #expect(throws: STUNServerError.alternatePortIsPrimary(3478)) {
            try configuration.plan(host: try Self.socket("192.0.2.1"), port: 3478, alternatePort: 3478)
        }
        #expect(throws: STUNServerError.invalidPort(70000)) {
            try configuration.plan(host: try Self.socket("192.0.2.1"), port: 70000, alternatePort: nil)
        }
        // Both "any free port" is fine: binding makes them differ.
        #expect(try configuration.plan(host: try Self.socket("192.0.2.1"), port: 0, alternatePort: 0).alternatePort == 0)
    }

    @Test func everyAddressSkipsLinkLocalDuplicatesAndNonUnicast() throws {
        let configuration = STUNServerConfiguration(host: nil, port: 3478)
        let local = try ["127.0.0.1", "192.0.2.2", "fe80::1", "::1", "fd00::2", "192.0.2.2", "0.0.0.0", "ff02::1"].map { try Self.socket($0) }
        let plans = try configuration.plans(localAddresses: local, port: 3478, alternatePort: nil)
        #expect(plans.map(\.primary) == (try ["127.0.0.1", "192.0.2.2", "::1", "fd00::2"].map { try Self.socket($0, 3478) }))
        #expect(plans.allSatisfy { $0.alternatePort == nil && $0.alternateAddress == nil })
        #expect(throws: STUNServerError.noLocalAddresses) {
            try configuration.plans(localAddresses: [try Self.socket("fe80::1")], port: 3478, alternatePort: nil)
        }
    }

    /// The alternate address is not a primary itself; it pairs with one address of its family,
    /// a loopback one if it is loopback. Every address gets the alternate port.
    @Test func everyAddressPairsTheAlternate() throws {
        let local = try ["192.0.2.1", "127.0.0.1", "127.0.0.2", "::1"].map { try Self.socket($0) }
        let loopback = STUNServerConfiguration(host: "::", port: 3478, alternatePort: 3479, alternateAddress: "127.0.0.2")
        let plans = try loopback.plans(localAddresses: local, port: 3478, alternatePort: 3479)
        #expect(plans.map(\.primary) == (try ["192.0.2.1", "127.0.0.1", "::1"].map { try Self.socket($0, 3478) }))
        #expect(plans.map(\.alternateAddress) == [nil, try Self.socket("127.0.0.2"), nil])
        #expect(plans.allSatisfy { $0.alternatePort == 3479 })

        let global = STUNServerConfiguration(host: nil, port: 3478, alternateAddress: "192.0.2.9")
        let globalPlans = try global.plans(localAddresses: local, port: 3478, alternatePort: nil)
        #expect(globalPlans.first { $0.alternateAddress != nil }?.primary == (try Self.socket("192.0.2.1", 3478)))

        let lonely = STUNServerConfiguration(host: nil, port: 3478, alternateAddress: "2001:db8::2")
        #expect(throws: STUNServerError.noPrimaryForAlternate("2001:db8::2")) {
            try lonely.plans(localAddresses: try ["192.0.2.1", "2001:db8::2"].map { try Self.socket($0) }, port: 3478, alternatePort: nil)
        }
    }
}
