import Testing
@testable import RelayCore

@Suite struct DERPMeshPeerTests {
    @Test func parsesTheReferenceEntrySyntax() {
        #expect(DERPMeshClient.Peer(meshEntry: "derp1.example.net", dialHost: nil) == .init(name: "derp1.example.net", port: 443))
        #expect(DERPMeshClient.Peer(meshEntry: "derp1.example.net:8443", dialHost: nil) == .init(name: "derp1.example.net", port: 8443))
        #expect(DERPMeshClient.Peer(meshEntry: "derp1.example.net", dialHost: "10.0.0.5")
            == .init(name: "derp1.example.net", port: 443, dialHost: "10.0.0.5"))
        #expect(DERPMeshClient.Peer(meshEntry: "203.0.113.10:443", dialHost: "203.0.113.10") == .init(name: "203.0.113.10", port: 443))
        #expect(DERPMeshClient.Peer(meshEntry: "[2001:db8::1]:8443", dialHost: nil) == .init(name: "2001:db8::1", port: 8443))
        #expect(DERPMeshClient.Peer(meshEntry: "2001:db8::1", dialHost: nil) == .init(name: "2001:db8::1", port: 443))
    }
}
