import Foundation
import NIOEmbedded
import NIOCore
import Testing
@testable import RelayCore

@Suite struct AllowListTests {
    static let a = "nodekey:" + String(repeating: "a1", count: 32)
    static let b = "nodekey:" + String(repeating: "b2", count: 32)

    @Test func parsesKeysCommentsAndBlankLines() throws {
        let text = "# laptops\n\(Self.a)\r\n\n   \(Self.b.uppercased().replacingOccurrences(of: "NODEKEY:", with: "nodekey:"))  # phone\n# end"
        let keys = try AllowListFile.parse(text, path: "allow.txt")
        #expect(keys == [try NodePublicKey(text: Self.a), try NodePublicKey(text: Self.b)])
        #expect(try AllowListFile.parse("", path: "empty").isEmpty)
    }

    @Test func malformedLineIsNamed() {
        let text = "\(Self.a)\n\n\(Self.b.dropLast())\n"
        #expect(throws: AdmissionError.malformedLine(path: "allow.txt", line: 3, reason: "key must have 64 hex digits, found 63")) {
            try AllowListFile.parse(text, path: "allow.txt")
        }
        let error = AdmissionError.malformedLine(path: "allow.txt", line: 3, reason: "x")
        #expect(error.description.contains("allow.txt line 3"))
        #expect(throws: AdmissionError.self) { try AllowListFile.parse("privkey:" + String(repeating: "0", count: 64), path: "p") }
    }

    @Test func reloadSwapsTheListAndKeepsItOnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allow-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("\(Self.a)\n".utf8).write(to: URL(fileURLWithPath: path))
        let policy = try AllowListAdmissionPolicy(path: path)
        let loop = EmbeddedEventLoop()
        let a = try NodePublicKey(text: Self.a)
        let b = try NodePublicKey(text: Self.b)
        #expect(try policy.admit(key: a, sourceIP: nil, eventLoop: loop).wait() == true)
        #expect(try policy.admit(key: b, sourceIP: nil, eventLoop: loop).wait() == false)

        try Data("\(Self.b)\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try policy.reload() == 1)
        #expect(policy.contains(b) && !policy.contains(a))

        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AdmissionError.self) { try policy.reload() }
        #expect(policy.contains(b), "a bad file keeps the previous list")
        #expect(policy.counters.allow.value == 1 && policy.counters.deny.value == 1)
    }

    @Test func missingFileIsAnError() {
        #expect(throws: AdmissionError.self) { try AllowListAdmissionPolicy(path: "/nonexistent/allow-keys") }
    }

    @Test func combinedPolicyNeedsEveryYesAndStopsAtTheFirstNo() throws {
        let loop = EmbeddedEventLoop()
        let key = try NodePublicKey(text: Self.a)
        let yes = RecordingPolicy(answer: true)
        let no = RecordingPolicy(answer: false)
        let after = RecordingPolicy(answer: true)
        #expect(try CombinedAdmissionPolicy([yes, after]).admit(key: key, sourceIP: "192.0.2.1", eventLoop: loop).wait() == true)
        #expect(try CombinedAdmissionPolicy([no, after]).admit(key: key, sourceIP: "192.0.2.1", eventLoop: loop).wait() == false)
        #expect(yes.calls == 1 && no.calls == 1 && after.calls == 1, "the policy after a rejection is not asked")
        #expect(try CombinedAdmissionPolicy([]).admit(key: key, sourceIP: nil, eventLoop: loop).wait() == true)
    }
}

private final class RecordingPolicy: DERPAdmissionPolicy {
    let answer: Bool
    private let count = AdmissionTally(label: "test_admission_calls", dimensions: [])

    init(answer: Bool) { self.answer = answer }

    var calls: Int { count.value }

    func admit(key: NodePublicKey, sourceIP: String?, eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        count.increment()
        return eventLoop.makeSucceededFuture(answer)
    }
}
