import Foundation
import NIOCore
import Testing
@testable import RelayCore

@Suite struct TmpLabProbe {
    @Test func probe() async throws {
        guard ProcessInfo.processInfo.environment["NATLAB_TMP"] == "1" else { return }
        let route = DefaultRoute.privateIPv4Gateway()
        print("ROUTE", route as Any)
        print("RAW", (try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)) ?? "")
        var configuration = try PortMappingProber.Configuration(gateway: try #require(route?.gateway), multicastSSDP: true)
        configuration.timeout = .milliseconds(500)
        let result = try await PortMappingProber(configuration: configuration).probe()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        let quick = await PortMappingProber.probeDefaultGateway(budget: .milliseconds(250))
        print("QUICK", quick?.evidence as Any, quick?.details.elapsedMilliseconds as Any)
    }
}
