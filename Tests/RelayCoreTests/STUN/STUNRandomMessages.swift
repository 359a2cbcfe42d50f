import NIOCore

@testable import RelayCore

/// Random, well-formed STUN messages for the property and fuzz tests. Everything comes from the
/// caller's generator, so a seed reproduces a run.
struct STUNRandomMessages<Generator: RandomNumberGenerator> {
    var generator: Generator

    /// Attribute numbers the decoder gives a case of their own; `.unknown` must avoid them.
    /// An array, not a Set, so that picking from it is reproducible across runs.
    static var knownTypes: [UInt16] {
        [0x0001, 0x0003, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000A, 0x0020, 0x0026, 0x0027, 0x8020, 0x8022, 0x8028, 0x802B, 0x802C]
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func bool() -> Bool { Bool.random(using: &generator) }
    mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &generator) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    mutating func address() -> STUNAddress {
        if bool() {
            return STUNAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &generator), port: UInt16.random(in: 0...0xffff, using: &generator))
        }
        // Sometimes IPv4-mapped, so that the attribute keeps the IPv6 family through a round trip.
        let high: UInt64 = int(0...3) == 0 ? 0 : generator.next()
        let low: UInt64 = high == 0 ? 0x0000_FFFF_0000_0000 | UInt64(UInt32.random(in: 0...UInt32.max, using: &generator)) : generator.next()
        return STUNAddress(ipv6High: high, low: low, port: UInt16.random(in: 0...0xffff, using: &generator))
    }

    /// A string mixing ASCII, Latin-1, CJK and astral-plane scalars.
    mutating func text(maxCount: Int = 24) -> String {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7e, 0xa0...0xff, 0x3040...0x30ff, 0x1F600...0x1F64F]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<int(0...maxCount) {
            let range = ranges[int(0...(ranges.count - 1))]
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &generator)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    mutating func unknownType() -> STUNAttributeType {
        while true {
            let raw = UInt16.random(in: 0...0xffff, using: &generator)
            if !Self.knownTypes.contains(raw) { return STUNAttributeType(raw) }
        }
    }

    /// Any attribute except FINGERPRINT, which the encoder adds on request.
    mutating func attribute() -> STUNAttribute {
        switch int(0...13) {
        case 0: return .mappedAddress(address())
        case 1: return .xorMappedAddress(address(), legacyType: bool())
        case 2: return .username(text())
        case 3:
            // Twenty bytes always make a value; the fallback is never taken.
            guard let value = STUNMessageIntegrity(bytes: bytes(20)) else { return .software("") }
            return .messageIntegrity(value)
        case 4: return .errorCode(STUNErrorCode(code: UInt16(int(300...699)), reason: text()) ?? .serverError)
        case 5: return .unknownAttributes((0..<int(0...5)).map { _ in STUNAttributeType(UInt16.random(in: 0...0xffff, using: &generator)) })
        case 6: return .changeRequest(STUNChangeRequest(rawValue: UInt32.random(in: 0...UInt32.max, using: &generator)))
        case 7: return .responsePort(UInt16.random(in: 0...0xffff, using: &generator))
        case 8: return .padding(ByteBuffer(bytes: bytes(int(0...40))))
        case 9: return .software(text())
        case 10: return .responseOrigin(address(), legacyType: bool())
        case 11: return .otherAddress(address(), legacyType: bool())
        default: return .unknown(type: unknownType(), value: ByteBuffer(bytes: bytes(int(0...40))))
        }
    }

    mutating func message() -> STUNMessage {
        let classes: [STUNMessage.Class] = [.request, .indication, .successResponse, .errorResponse]
        let method = STUNMessage.Method(rawValue: UInt16(int(0...0x0FFF))) ?? .binding
        return STUNMessage(
            class: classes[int(0...3)],
            method: bool() ? .binding : method,
            transactionID: STUNTransactionID.random(using: &generator),
            attributes: (0..<int(0...8)).map { _ in attribute() }
        )
    }
}
