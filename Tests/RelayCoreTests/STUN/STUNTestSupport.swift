import Foundation
import NIOCore
import Testing

@testable import RelayCore

/// Shared helpers for the STUN suites: vector files, hex, addresses, a seeded generator.
enum STUNTestSupport {
    struct RFC5769File: Decodable {
        struct Vector: Decodable {
            var name: String
            var section: String
            var hex: String
        }
        var source: String
        var shortTermPassword: String
        var vectors: [Vector]
    }

    struct TailscaleResponsesFile: Decodable {
        struct Vector: Decodable, CustomTestStringConvertible {
            var name: String
            var hex: String
            var transactionID: String
            var ip: String
            var port: UInt16
            var note: String
            var testDescription: String { name }
        }
        var source: String
        var vectors: [Vector]
    }

    /// Tests/RelayCoreTests/Vectors/<name>.json, decoded. A missing or broken file is a test
    /// failure, reported by the caller's `#require`.
    static func loadJSON<T: Decodable>(_ name: String, as type: T.Type) -> T? {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    static let rfc5769 = loadJSON("stun-rfc5769", as: RFC5769File.self)
    static let tailscaleResponses = loadJSON("stun-tailscale-responses", as: TailscaleResponsesFile.self)

    static func rfc5769Vector(_ name: String) throws -> [UInt8] {
        let file = try #require(rfc5769)
        let vector = try #require(file.vectors.first { $0.name == name })
        return try #require(Hex.decode(vector.hex))
    }

    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    static func buffer(hex: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try #require(Hex.decodeIgnoringWhitespace(hex)))
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    /// An address from text, through NIOCore's parser (which also exercises the SocketAddress
    /// conversion).
    static func address(_ ip: String, _ port: UInt16) throws -> STUNAddress {
        try #require(STUNAddress(try SocketAddress(ipAddress: ip, port: Int(port))))
    }

    /// `bytes` with every attribute's padding set to zero, Message Length trusted. Used to compare
    /// our encoding (zero padding) with RFC 5769's vectors (0x20 padding).
    static func zeroingPadding(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var offset = 20
        while offset + 4 <= out.count {
            let length = Int(out[offset + 2]) << 8 | Int(out[offset + 3])
            let padded = (length + 3) & ~3
            for index in (offset + 4 + length)..<min(out.count, offset + 4 + padded) { out[index] = 0 }
            offset += 4 + padded
        }
        return out
    }

    /// Offset of the first attribute of `type` in a well-formed message.
    static func offset(of type: STUNAttributeType, in bytes: [UInt8]) -> Int? {
        var offset = 20
        while offset + 4 <= bytes.count {
            let rawType = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            if rawType == type.rawValue { return offset }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 4 + ((length + 3) & ~3)
        }
        return nil
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and reproducible from a seed, so a failing
/// property or fuzz case can be replayed exactly.
struct STUNSeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
