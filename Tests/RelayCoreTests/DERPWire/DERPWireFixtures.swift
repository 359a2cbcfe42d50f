import NIOCore
import Testing

@testable import RelayCore

/// Parent of every DERPWire suite, so that `swift test --filter DERPWire` selects them all.
@Suite("DERPWire")
enum DERPWireTests {}

/// Shared fixtures for the DERPWire tests: the keys of spec/derp.md §16 and small helpers.
enum DERPWireFixtures {
    /// spec/derp.md §16, "example derp server" (public key).
    static let serverKeyHex = "cab88bbb034bca11217e0a38733be94352daf676eaa0472544cc8db7e5c7f44d"
    /// spec/derp.md §16, "example derp client A" (public key).
    static let clientAHex = "fb6045ae28334a3ac206fae40f9537e193c7b8561631185c07b27f9c8226b232"
    /// spec/derp.md §16, "example derp client B" (public key).
    static let clientBHex = "e05dc84b031c34f06ff425e9266fd237235eb50d0894a3c215ea60140f0fde1b"

    static let serverKey = key(serverKeyHex)
    static let clientA = key(clientAHex)
    static let clientB = key(clientBHex)

    static func key(_ hex: String) -> NodePublicKey {
        do {
            return try NodePublicKey(hex: hex)
        } catch {
            fatalError("bad key fixture \(hex): \(error)")
        }
    }

    /// Bytes from hex that may contain spaces and newlines, for vectors copied from the spec.
    static func buffer(_ hex: String) -> ByteBuffer {
        guard let bytes = Hex.decodeIgnoringWhitespace(hex) else {
            fatalError("bad hex fixture: \(hex)")
        }
        return ByteBuffer(bytes: bytes)
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }

    /// Encodes one frame into a fresh buffer.
    static func encode(_ frame: DERPFrame) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try buffer.writeDERPFrame(frame)
        return buffer
    }

    /// Runs a parser over the whole buffer and returns everything it produced.
    static func outputs(
        role: DERPFrameParser.Role,
        expectsHandshake: Bool = false,
        _ input: ByteBuffer
    ) throws -> [DERPFrameParser.Output] {
        var parser = DERPFrameParser(role: role, expectsHandshake: expectsHandshake)
        var buffer = input
        var result: [DERPFrameParser.Output] = []
        while let output = try parser.nextOutput(&buffer) {
            result.append(output)
        }
        return result
    }

    /// Only the frames a parser produced, skips left out.
    static func frames(
        role: DERPFrameParser.Role,
        expectsHandshake: Bool = false,
        _ input: ByteBuffer
    ) throws -> [DERPFrame] {
        try outputs(role: role, expectsHandshake: expectsHandshake, input).compactMap {
            if case .frame(let frame, _) = $0 { return frame }
            return nil
        }
    }

    /// The code of the `DERPWireError` the body throws, or nil if it throws nothing.
    static func errorCode(_ body: () throws -> Void) -> DERPWireError.Code? {
        do {
            try body()
            return nil
        } catch let error as DERPWireError {
            return error.code
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    /// A frame header followed by `payload`.
    static func frame(type: UInt8, length: UInt32? = nil, payload: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(type)
        buffer.writeInteger(length ?? UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }
}
