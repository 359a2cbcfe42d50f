import Foundation
import NIOCore
import Testing

@testable import RelayCore

@Suite struct PortMappingProbeCollectorTests {
    typealias V = PortMappingVectors

    private static let gateway = PortMappingAddress(ipv4: 0x0A00_0101)
    private static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private static func from(port: Int, ip: String = "10.0.1.1") throws -> SocketAddress {
        try SocketAddress(ipAddress: ip, port: port)
    }

    private func collector() -> PortMappingProbeCollector {
        PortMappingProbeCollector(gateway: Self.gateway, clientAddress: PortMappingAddress("10.0.1.2"), startedAt: Self.start, settle: .milliseconds(50))
    }

    @Test func finishesFiftyMillisecondsAfterTheFirstReplyOnceAllThreeAnswered() throws {
        var collector = collector()
        let t1 = Self.start + .milliseconds(5)
        #expect(collector.received(try V.buffer(hex: V.miniupnpdPCPAnnounceReply), from: try Self.from(port: 5351), at: t1) == .keepReading)
        #expect(collector.received(try V.buffer(hex: V.miniupnpdPMPExternalAddress), from: try Self.from(port: 5351), at: t1 + .milliseconds(1)) == .keepReading)
        let decision = collector.received(V.buffer(text: V.miniupnpdSSDPReply), from: try Self.from(port: 1900), at: t1 + .milliseconds(20))
        #expect(decision == .finish(at: t1 + .milliseconds(50)))
        // A late third reply finishes at once.
        let late = collector.received(V.buffer(text: V.miniupnpdSSDPReply), from: try Self.from(port: 1900), at: t1 + .milliseconds(90))
        #expect(late == .finish(at: t1 + .milliseconds(90)))

        let result = collector.result(at: t1 + .milliseconds(90))
        #expect(result.upnp && result.natpmp && result.pcp)
        #expect(result.externalAddress == "198.51.100.2")
        #expect(result.details.gateway == "10.0.1.1")
        #expect(result.details.clientAddress == "10.0.1.2")
        #expect(result.details.upnp.count == 1, "duplicates are dropped")
        #expect(result.details.upnp.first?.from == "10.0.1.1:1900")
        #expect(result.details.upnp.first?.location == "http://10.0.1.1:5000/rootDesc.xml")
        #expect(result.details.natpmp?.result == "success")
        #expect(result.details.pcp?.result == "SUCCESS")
        #expect(result.details.elapsedMilliseconds == 95)
    }

    @Test func failuresAreKeptButDoNotCount() throws {
        var collector = collector()
        _ = collector.received(try V.buffer(hex: V.miniupnpdPMPNetworkFailure), from: try Self.from(port: 5351), at: Self.start)
        let mismatch = try PCPMessage.response(.init(opcode: .announce, resultCode: .addressMismatch, lifetime: 0, epochTime: 3)).encoded()
        _ = collector.received(mismatch, from: try Self.from(port: 5351), at: Self.start)
        _ = collector.received(V.buffer(text: V.miniupnpdSSDPServiceReply), from: try Self.from(port: 1900), at: Self.start)
        let result = collector.result(at: Self.start)
        #expect(!result.upnp && !result.natpmp && !result.pcp)
        #expect(result.externalAddress == nil)
        #expect(result.details.natpmp?.resultCode == 3)
        #expect(result.details.pcp?.result == "ADDRESS_MISMATCH")
        #expect(result.details.ignoredDatagrams == 1)
    }

    @Test func aSuccessIsNeverOverwrittenByALaterFailure() throws {
        var collector = collector()
        _ = collector.received(try V.buffer(hex: V.miniupnpdPMPExternalAddress), from: try Self.from(port: 5351), at: Self.start)
        // A NAT-PMP-only server answering our PCP request: version 0, opcode 0x80, UNSUPP_VERSION.
        _ = collector.received(try V.buffer(hex: "00 80 00 01 00 00 00 02 00 00 00 00"), from: try Self.from(port: 5351), at: Self.start)
        let result = collector.result(at: Self.start)
        #expect(result.natpmp)
        #expect(result.externalAddress == "198.51.100.2")
        #expect(result.details.natpmp?.result == "success")
    }

    @Test func gatewayRepliesFromOtherAddressesAndPortsStillCount() throws {
        var collector = collector()
        _ = collector.received(V.buffer(text: V.miniupnpdSSDPReply), from: try Self.from(port: 40000, ip: "10.0.1.7"), at: Self.start)
        let result = collector.result(at: Self.start)
        #expect(result.upnp)
        #expect(result.details.upnp.first?.from == "10.0.1.7:40000")
    }

    @Test func garbageFromThePortMappingPortIsIgnored() throws {
        var collector = collector()
        for hex in ["", "ff", "02 00", V.pmpExternalAddressRequest, V.pcpAnnounceRequest, V.miniupnpdPMPMapReply] {
            #expect(collector.received(try V.buffer(hex: hex), from: try Self.from(port: 5351), at: Self.start) == .keepReading)
        }
        let result = collector.result(at: Self.start)
        #expect(!result.any)
        #expect(result.details.ignoredDatagrams == 6)
    }

    @Test func atMostTenUPnPRepliesAreKept() throws {
        var collector = collector()
        for index in 0..<15 {
            let text = V.miniupnpdSSDPReply.replacingOccurrences(of: "rootDesc.xml", with: "root\(index).xml")
            _ = collector.received(V.buffer(text: text), from: try Self.from(port: 1900), at: Self.start)
        }
        #expect(collector.result(at: Self.start).details.upnp.count == PortMappingProbeCollector.maximumUPnPReplies)
    }

    @Test func sendErrorsAreReported() {
        var collector = collector()
        collector.sendFailed(to: "SSDP 239.255.255.250:1900", error: "network unreachable")
        #expect(collector.result(at: Self.start).details.sendErrors == ["SSDP 239.255.255.250:1900: network unreachable"])
    }
}
