import Crypto
import NIOCore
import Testing

@testable import RelayCore

/// Random messages round-trip through the encoder and decoder. Seeded: a failure names its
/// iteration, and rerunning reproduces it.
@Suite struct STUNPropertyTests {
    static let seed: UInt64 = 0x2112_A442
    static let iterations = 5_000

    @Test func randomMessagesRoundTrip() throws {
        var random = STUNRandomMessages(generator: STUNSeededGenerator(seed: Self.seed))
        let key = STUNMessageIntegrity.shortTermKey(password: "property")
        var counts = [0, 0, 0]
        for iteration in 0..<Self.iterations {
            let message = random.message()
            let mode = random.int(0...2)
            counts[mode] += 1
            let bytes: ByteBuffer
            switch mode {
            case 0: bytes = try message.encoded()
            case 1: bytes = try message.encoded(fingerprint: true)
            default: bytes = try message.encoded(integrityKey: key, fingerprint: random.bool())
            }
            #expect(bytes.readableBytes % 4 == 0, "iteration \(iteration)")
            #expect(bytes.getInteger(at: 2, as: UInt16.self).map { Int($0) } == bytes.readableBytes - 20, "iteration \(iteration)")
            let decoded = try STUNMessage.decode(bytes)

            var expected = message
            switch mode {
            case 0:
                break
            case 1:
                expected.attributes.append(.fingerprint(decoded.fingerprint ?? 0))
            default:
                expected.attributes.removeAll { $0.type == .messageIntegrity }
                expected.attributes.append(.messageIntegrity(try #require(decoded.attributes.last { $0.type == .messageIntegrity }.flatMap(Self.integrity))))
                if let fingerprint = decoded.fingerprint { expected.attributes.append(.fingerprint(fingerprint)) }
                #expect(STUNMessageIntegrity.verify(message: bytes, key: key), "iteration \(iteration)")
            }
            #expect(decoded == expected, "iteration \(iteration): \(message)")
            // Zero padding everywhere, so the decoded message re-encodes to the same bytes.
            #expect(try decoded.encoded() == bytes, "iteration \(iteration)")
        }
        #expect(counts.allSatisfy { $0 > Self.iterations / 4 })
    }

    /// The accessors agree with the attribute lists they read.
    @Test func mappedAddressFollowsTheAttributeList() {
        var random = STUNRandomMessages(generator: STUNSeededGenerator(seed: Self.seed + 1))
        for _ in 0..<2_000 {
            let message = random.message()
            var standard: STUNAddress?
            var legacy: STUNAddress?
            var plain: STUNAddress?
            for attribute in message.attributes {
                if case .xorMappedAddress(let address, let isLegacy) = attribute {
                    if isLegacy { legacy = address } else { standard = address }
                }
                if case .mappedAddress(let address) = attribute { plain = address }
            }
            let expected = (standard ?? legacy ?? plain)?.unmapped
            #expect(message.mappedAddress == expected)
            #expect(message.mappedAddress?.isIPv4Mapped != true)
        }
    }

    private static func integrity(_ attribute: STUNAttribute) -> STUNMessageIntegrity? {
        if case .messageIntegrity(let value) = attribute { return value }
        return nil
    }
}
