import Crypto
import NIOCore
import Testing

@testable import RelayCore

/// 100,000 random and mutated datagrams thrown at every entry point that reads peer input.
/// Each must produce a value or a `STUNError` (typed throws guarantee nothing else can escape;
/// the test's job is to prove nothing traps). Seeded, so a crash reproduces; any input that ever
/// crashes belongs in `regressions` below.
@Suite struct STUNFuzzTests {
    static let seed: UInt64 = 0x5354_554E_0000_0001
    static let inputCount = 100_000

    /// Hand-picked edge cases, run on every test run. Any input that ever traps or fails the
    /// checks in `exercise` gets added here (none has so far).
    static let regressions: [String] = [
        // Attribute whose padding runs past Message Length by one word.
        "000100082112a442000000000000000000000000802200050000000000",
        // FINGERPRINT with a length that is not 4.
        "000100082112a442000000000000000000000000802800000000",
    ]

    enum Strategy: Int, CaseIterable {
        case randomBytes, randomWithHeader, bitFlips, truncate, headerLength, attributeLength, attributeType,
            insertDelete, splice, stacked
    }

    struct Outcome {
        var tried = 0
        var decoded = 0
        var errors: [String: Int] = [:]
        var perStrategy: [Strategy: Int] = [:]
        var tailscaleRequests = 0
    }

    static func seeds() throws -> [[UInt8]] {
        var seeds = try STUNTruncationTests.validMessages().map(\.1)
        var random = STUNRandomMessages(generator: STUNSeededGenerator(seed: seed ^ 0xff))
        let key = STUNMessageIntegrity.shortTermKey(password: "fuzz")
        for index in 0..<64 {
            let message = random.message()
            let bytes = try message.encoded(integrityKey: index % 3 == 0 ? key : nil, fingerprint: index % 2 == 0)
            seeds.append(STUNTestSupport.bytes(bytes))
        }
        return seeds
    }

    @Test func regressionsDoNotTrap() throws {
        for hex in Self.regressions {
            _ = Self.exercise(try #require(Hex.decode(hex)))
        }
    }

    @Test func randomAndMutatedInputs() throws {
        let seeds = try Self.seeds()
        var generator = STUNSeededGenerator(seed: Self.seed)
        var outcome = Outcome()
        for _ in 0..<Self.inputCount {
            let strategy = Strategy.allCases[Int.random(in: 0..<Strategy.allCases.count, using: &generator)]
            let input = Self.make(strategy, seeds: seeds, using: &generator)
            outcome.tried += 1
            outcome.perStrategy[strategy, default: 0] += 1
            switch Self.exercise(input) {
            case .success(let isTailscaleRequest):
                outcome.decoded += 1
                if isTailscaleRequest { outcome.tailscaleRequests += 1 }
            case .failure(let error):
                outcome.errors[Self.kind(of: error), default: 0] += 1
            }
        }
        let errorSummary = outcome.errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("STUN fuzz: tried \(outcome.tried) inputs (seed 0x\(String(Self.seed, radix: 16))), decoded \(outcome.decoded), tailscale-style requests \(outcome.tailscaleRequests); errors: \(errorSummary)")
        #expect(outcome.tried == 100_000)
        #expect(outcome.perStrategy.count == Strategy.allCases.count)
        // The mutations reach deep: plenty decode, and every kind of decode error shows up.
        #expect(outcome.decoded > 5_000)
        for kind in ["truncated", "notSTUN", "badMagicCookie", "badLength", "badAttribute", "fingerprintMismatch"] {
            #expect(outcome.errors[kind, default: 0] > 0, "never saw \(kind)")
        }
        #expect(outcome.errors["messageTooLarge"] == nil, "the decoder never reports an encoder error")
    }

    /// The error's case name, without associated values, for the summary.
    static func kind(of error: STUNError) -> String {
        switch error {
        case .truncated: return "truncated"
        case .notSTUN: return "notSTUN"
        case .badMagicCookie: return "badMagicCookie"
        case .badLength: return "badLength"
        case .badAttribute: return "badAttribute"
        case .fingerprintMismatch: return "fingerprintMismatch"
        case .messageTooLarge: return "messageTooLarge"
        }
    }

    /// Runs one input through every reader. On a successful decode, also checks that the decoded
    /// message re-encodes and decodes to itself (FINGERPRINT recomputed, since the input's padding
    /// may not have been zero). Returns whether the input is a Tailscale-style request, or the
    /// strict decoder's error.
    static func exercise(_ input: [UInt8]) -> Result<Bool, STUNError> {
        let buffer = ByteBuffer(bytes: input)
        _ = STUNMessage.looksLikeSTUN(buffer)
        let isTailscaleRequest = STUNMessage.isTailscaleStyleRequest(buffer)
        _ = STUNMessageIntegrity.verify(message: buffer, key: STUNMessageIntegrity.shortTermKey(password: "fuzz"))
        var stream = buffer
        while true {
            do {
                guard try stream.readSTUNMessage() != nil else { break }
            } catch {
                break
            }
        }
        _ = try? STUNMessage.decode(buffer, allowTrailingBytes: true)
        _ = STUNMessage.tailscaleBindingResponse(buffer)
        do {
            let message = try STUNMessage.decode(buffer)
            let reencoded = try message.encoded(fingerprint: message.fingerprint != nil)
            var again = try STUNMessage.decode(reencoded)
            if let fingerprint = message.fingerprint, let index = again.attributes.lastIndex(where: { $0.type == .fingerprint }) {
                again.attributes[index] = .fingerprint(fingerprint)
            }
            #expect(again == message, "re-encoding changed \(Hex.encode(input))")
            if isTailscaleRequest {
                // What Tailscale accepts and our strict decoder reads is a Binding request.
                #expect(message.isBindingRequest)
            }
            return .success(isTailscaleRequest)
        } catch {
            return .failure(error)
        }
    }

    static func make(_ strategy: Strategy, seeds: [[UInt8]], using generator: inout STUNSeededGenerator) -> [UInt8] {
        func int(_ range: Range<Int>) -> Int { range.isEmpty ? range.lowerBound : Int.random(in: range, using: &generator) }
        func byte() -> UInt8 { UInt8.random(in: 0...255, using: &generator) }
        func seed() -> [UInt8] { seeds[int(0..<seeds.count)] }
        /// Offsets of the attribute headers of a (possibly mutated) message.
        func attributeOffsets(_ bytes: [UInt8]) -> [Int] {
            var offsets: [Int] = []
            var offset = 20
            while offset + 4 <= bytes.count {
                offsets.append(offset)
                offset += 4 + ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 3) & ~3
            }
            return offsets
        }

        switch strategy {
        case .randomBytes:
            return (0..<int(0..<128)).map { _ in byte() }
        case .randomWithHeader:
            let body = (0..<(4 * int(0..<24))).map { _ in byte() }
            let length = Bool.random(using: &generator) ? body.count : int(0..<70_000) & 0xfffc
            return [byte() & 0x3f, byte(), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), 0x21, 0x12, 0xa4, 0x42]
                + (0..<12).map { _ in byte() } + body
        case .bitFlips:
            var bytes = seed()
            for _ in 0..<int(1..<9) where !bytes.isEmpty {
                bytes[int(0..<bytes.count)] ^= 1 << UInt8(int(0..<8))
            }
            return bytes
        case .truncate:
            let bytes = seed()
            return Array(bytes.prefix(int(0..<bytes.count)))
        case .headerLength:
            var bytes = seed()
            guard bytes.count >= 4 else { return bytes }
            let length = [0, 4, bytes.count - 20, bytes.count - 16, bytes.count - 24, int(0..<65_536)][int(0..<6)]
            bytes[2] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: length)
            return bytes
        case .attributeLength:
            var bytes = seed()
            let offsets = attributeOffsets(bytes)
            guard !offsets.isEmpty else { return bytes }
            let offset = offsets[int(0..<offsets.count)]
            let old = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let length = [0, old + 1, old - 1, old + 4, old - 4, int(0..<65_536)][int(0..<6)]
            bytes[offset + 2] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[offset + 3] = UInt8(truncatingIfNeeded: length)
            return bytes
        case .attributeType:
            var bytes = seed()
            let offsets = attributeOffsets(bytes)
            guard !offsets.isEmpty else { return bytes }
            let offset = offsets[int(0..<offsets.count)]
            let known = STUNRandomMessages<STUNSeededGenerator>.knownTypes
            let type = known[int(0..<known.count)]
            bytes[offset] = UInt8(type >> 8)
            bytes[offset + 1] = UInt8(type & 0xff)
            return bytes
        case .insertDelete:
            var bytes = seed()
            let position = int(0..<(bytes.count + 1))
            if Bool.random(using: &generator) || bytes.isEmpty {
                bytes.insert(contentsOf: (0..<int(1..<9)).map { _ in byte() }, at: position)
            } else {
                bytes.removeSubrange(position..<min(bytes.count, position + int(1..<9)))
            }
            return bytes
        case .splice:
            let first = seed()
            let second = seed()
            return Array(first.prefix(int(0..<(first.count + 1)))) + Array(second.suffix(int(0..<(second.count + 1))))
        case .stacked:
            var bytes = seed()
            for _ in 0..<int(2..<5) {
                let next = Strategy.allCases[int(2..<(Strategy.allCases.count - 1))]
                bytes = make(next, seeds: [bytes.isEmpty ? seed() : bytes], using: &generator)
            }
            return bytes
        }
    }
}
