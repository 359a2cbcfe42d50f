import NIOCore
import Testing

@testable import RelayCore

extension DERPWireTests {
    /// Random and mutated input for both roles: the parser must return or throw, never trap, never
    /// loop without progress, and agree with itself however the bytes are split.
    @Suite("DERPFrameParser fuzz")
    struct DERPFrameFuzzTests {
        typealias F = DERPWireFixtures

        static let iterations = 100_000

        /// SplitMix64, so that a failure can be replayed from its seed.
        struct SplitMix64: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }

        static let seeds: [[UInt8]] = (DERPFrameVector.canonical + DERPFrameVector.tolerant).map { F.bytes($0.bytes) }
        static let interestingLengths: [UInt32] = [
            0, 1, 2, 7, 8, 9, 23, 24, 31, 32, 33, 39, 40, 41, 49, 50, 51, 52, 55, 56, 63, 64, 65, 1000, 1001, 1024, 1025,
            65568, 65569, 65600, 65601, 262_144, 262_145, 1 << 20, (1 << 20) + 1, 0x7FFF_FFFF, 0xFFFF_FFFF,
        ]

        struct Configuration: CustomStringConvertible {
            var role: DERPFrameParser.Role
            var expectsHandshake: Bool
            var description: String { "\(role) handshake=\(expectsHandshake)" }
        }

        static let configurations = [
            Configuration(role: .server, expectsHandshake: true), Configuration(role: .server, expectsHandshake: false),
            Configuration(role: .client, expectsHandshake: true), Configuration(role: .client, expectsHandshake: false),
        ]

        @Test("100,000 random and mutated buffers into both roles")
        func fuzz() throws {
            var rng = SplitMix64(state: 0xDE4B_F00D)
            var buffersTried = 0
            var parses = 0
            var framesProduced = 0
            var errorsThrown = 0
            for iteration in 0..<Self.iterations {
                let input = Self.makeInput(&rng)
                buffersTried += 1
                for configuration in Self.configurations {
                    let whole = Self.run(configuration, input: input, chunkSizes: nil, rng: &rng)
                    let split = Self.run(configuration, input: input, chunkSizes: 1...17, rng: &rng)
                    parses += 2
                    #expect(whole == split, "iteration \(iteration), \(configuration), input \(Hex.encode(input))")
                    framesProduced += whole.outputs.count
                    if whole.error != nil { errorsThrown += 1 }
                    try Self.checkReencoding(whole.outputs, configuration: configuration, iteration: iteration)
                }
            }
            #expect(buffersTried == Self.iterations)
            print("DERPWire fuzz: \(buffersTried) buffers, \(parses) parses, \(framesProduced) outputs, \(errorsThrown) errors")
        }

        struct Run: Equatable {
            var outputs: [DERPFrameParser.Output] = []
            var error: DERPWireError.Code?
        }

        /// Parses `input` whole, or split into random chunks fed one after another.
        static func run(
            _ configuration: Configuration,
            input: [UInt8],
            chunkSizes: ClosedRange<Int>?,
            rng: inout SplitMix64
        ) -> Run {
            var parser = DERPFrameParser(role: configuration.role, expectsHandshake: configuration.expectsHandshake)
            var run = Run()
            var cumulation = ByteBuffer()
            var offset = 0
            while offset < input.count || offset == 0 {
                let size = chunkSizes.map { Int.random(in: $0, using: &rng) } ?? input.count
                let end = min(input.count, offset + size)
                cumulation.writeBytes(input[offset..<end])
                offset = max(end, 1)
                var steps = 0
                do throws(DERPWireError) {
                    while true {
                        let before = cumulation.readableBytes
                        guard let output = try parser.nextOutput(&cumulation) else { break }
                        run.outputs.append(output)
                        steps += 1
                        // Each output consumes at least a header, so a bounded number of steps is progress.
                        if cumulation.readableBytes > before || steps > input.count + 1 {
                            Issue.record("no progress: \(configuration), input \(Hex.encode(input))")
                            return run
                        }
                    }
                } catch {
                    run.error = error.code
                    return run
                }
            }
            return run
        }

        /// Every frame produced must encode and parse back to itself.
        static func checkReencoding(_ outputs: [DERPFrameParser.Output], configuration: Configuration, iteration: Int) throws {
            for case .frame(let frame, _) in outputs {
                var encoded = ByteBuffer()
                do {
                    try encoded.writeDERPFrame(frame)
                } catch {
                    // Only a client's RecvPacket may carry more than a writer accepts.
                    #expect(frame.type == .recvPacket, "iteration \(iteration): \(error)")
                    continue
                }
                let isHandshake = frame.type == .serverKey || frame.type == .clientInfo
                var parser = DERPFrameParser(role: configuration.role, expectsHandshake: isHandshake)
                #expect(try parser.next(&encoded) == frame, "iteration \(iteration), \(configuration)")
            }
        }

        static func makeInput(_ rng: inout SplitMix64) -> [UInt8] {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                return (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    bytes += randomFrame(&rng)
                }
                return bytes
            case 2:
                var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    mutate(&bytes, &rng)
                }
                return bytes
            default:
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 2...5, using: &rng) {
                    bytes += Bool.random(using: &rng) ? seeds[Int.random(in: 0..<seeds.count, using: &rng)] : randomFrame(&rng)
                }
                return bytes
            }
        }

        /// A header with a plausible type and an interesting length, and up to 120 payload bytes.
        static func randomFrame(_ rng: inout SplitMix64) -> [UInt8] {
            let type = Bool.random(using: &rng)
                ? DERPFrameType.allCases[Int.random(in: 0..<DERPFrameType.allCases.count, using: &rng)].rawValue
                : UInt8.random(in: 0...255, using: &rng)
            let length = Bool.random(using: &rng)
                ? interestingLengths[Int.random(in: 0..<interestingLengths.count, using: &rng)]
                : UInt32.random(in: 0...120, using: &rng)
            let payloadCount = Int(min(length, UInt32.random(in: 0...120, using: &rng)))
            var bytes: [UInt8] = [type]
            bytes += withUnsafeBytes(of: length.bigEndian, Array.init)
            bytes += (0..<payloadCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng), bytes.count >= 5 + 32 + 18 {
                bytes.replaceSubrange(5 + 32..<5 + 32 + 12, with: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])
            }
            return bytes
        }

        static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
            guard !bytes.isEmpty else {
                bytes = [UInt8.random(in: 0...255, using: &rng)]
                return
            }
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes[index] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes.removeSubrange(index...)
            case 3: bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: index)
            case 4:
                // Rewrite the length field of the first frame.
                if bytes.count >= 5 {
                    let length = interestingLengths[Int.random(in: 0..<interestingLengths.count, using: &rng)]
                    bytes.replaceSubrange(1..<5, with: withUnsafeBytes(of: length.bigEndian, Array.init))
                }
            default: bytes += seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            }
        }
    }
}
