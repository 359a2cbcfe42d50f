/// An error reading or writing DERP frames or the JSON sealed inside them.
///
/// Every read error means the peer broke the protocol and the connection must close; frames that
/// are merely unknown or irrelevant are skipped, never reported as errors. Compare ``code``; the
/// rest is diagnostics for logs.
package struct DERPWireError: Error, Hashable, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case frameTooLarge
            case invalidFrameLength
            case packetTooLarge
            case unexpectedFrame
            case invalidMagic
            case invalidKey
            case invalidJSON
            case invalidMeshKey
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A frame is longer than the receiver (a client: 1 MiB) or the writer (10 MiB) allows.
        package static let frameTooLarge = Code(.frameTooLarge)
        /// A frame's declared length is impossible for its type.
        package static let invalidFrameLength = Code(.invalidFrameLength)
        /// A SendPacket, ForwardPacket or RecvPacket carries more than `DERPFrame.maxPacketSize` bytes.
        package static let packetTooLarge = Code(.packetTooLarge)
        /// The handshake frame (ClientInfo to a server, ServerKey to a client) was something else.
        package static let unexpectedFrame = Code(.unexpectedFrame)
        /// A ServerKey payload did not start with `DERPFrame.magic`.
        package static let invalidMagic = Code(.invalidMagic)
        /// 32 key bytes could not be turned into a key.
        package static let invalidKey = Code(.invalidKey)
        /// ClientInfo or ServerInfo JSON is malformed, not an object, or has a field of the wrong type.
        package static let invalidJSON = Code(.invalidJSON)
        /// ClientInfo's `meshKey` is present but not 64 hex digits.
        package static let invalidMeshKey = Code(.invalidMeshKey)

        package var description: String { base.rawValue }
    }

    package let code: Code
    /// The raw type byte of the frame concerned, when there is one.
    package let frameType: UInt8?
    private let reason: String

    private init(code: Code, frameType: UInt8?, reason: String) {
        self.code = code
        self.frameType = frameType
        self.reason = reason
    }

    package var description: String {
        let type = frameType.map { " (frame type 0x\(String($0, radix: 16)))" } ?? ""
        return "DERPWireError.\(code)\(type): \(reason)"
    }
}

// MARK: - Constructors (cold paths)

extension DERPWireError {
    @inline(never)
    static func frameTooLarge(type: UInt8, length: UInt64, limit: Int) -> DERPWireError {
        DERPWireError(code: .frameTooLarge, frameType: type, reason: "frame of \(length) bytes exceeds the limit of \(limit)")
    }

    @inline(never)
    static func invalidFrameLength(type: UInt8, length: UInt32, expected: String) -> DERPWireError {
        DERPWireError(code: .invalidFrameLength, frameType: type, reason: "length \(length), expected \(expected)")
    }

    @inline(never)
    static func packetTooLarge(type: UInt8, packetLength: UInt64) -> DERPWireError {
        DERPWireError(
            code: .packetTooLarge,
            frameType: type,
            reason: "packet of \(packetLength) bytes exceeds the maximum of \(DERPFrame.maxPacketSize)"
        )
    }

    @inline(never)
    static func unexpectedFrame(type: UInt8, expected: DERPFrameType) -> DERPWireError {
        DERPWireError(code: .unexpectedFrame, frameType: type, reason: "expected \(expected) as the handshake frame")
    }

    @inline(never)
    static func invalidMagic() -> DERPWireError {
        DERPWireError(code: .invalidMagic, frameType: DERPFrameType.serverKey.rawValue, reason: "invalid server greeting")
    }

    @inline(never)
    static func invalidKey(type: UInt8, _ error: KeyError) -> DERPWireError {
        DERPWireError(code: .invalidKey, frameType: type, reason: error.description)
    }

    @inline(never)
    static func invalidJSON(_ what: String, _ detail: String) -> DERPWireError {
        DERPWireError(code: .invalidJSON, frameType: nil, reason: "\(what): \(detail)")
    }

    @inline(never)
    static func invalidMeshKey(_ detail: String) -> DERPWireError {
        DERPWireError(code: .invalidMeshKey, frameType: nil, reason: detail)
    }
}
