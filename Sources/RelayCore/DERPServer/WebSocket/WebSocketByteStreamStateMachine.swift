/// Decides what to do with each WebSocket frame of a connection that carries the DERP byte
/// stream (spec derp.md §4.4). Pure: it sees frame headers only, never payloads or channels.
///
/// The stream is made of **binary** messages whose boundaries mean nothing, so data frames
/// are passed on as they come; the rules checked here are RFC 6455's:
/// - §5.1: a client masks every frame, a server masks none; either side closes on a violation.
/// - §5.2: RSV1-3 must be 0 unless an extension was negotiated (we negotiate none, so no
///   per-message compression).
/// - §5.4: a fragmented message is one non-continuation frame with FIN clear, continuation
///   frames, then a continuation with FIN set; control frames may come in between.
/// - §5.5.1: a Close is answered with a Close; the endpoint then closes the connection.
/// - §7.4.1: 1002 protocol error, 1003 data it cannot accept (a text message here).
///
/// Wire values (opcode, close code) are used directly so that the machine needs no NIO types.
package struct WebSocketByteStreamStateMachine: Sendable {
    package enum Role: Sendable {
        case server
        case client
    }

    package enum Action: Equatable, Sendable {
        /// Pass the frame's (unmasked) payload on as DERP stream bytes.
        case deliverPayload
        /// Answer a Ping with a Pong carrying the same payload.
        case replyPong
        /// Nothing to do (a Pong, or anything after the close began).
        case ignore
        /// The peer sent Close: answer with Close (echoing its code) and close the connection.
        case echoClose
        /// The peer broke the protocol: send Close with this status code and close the connection.
        case fail(closeCode: UInt16)
    }

    /// RFC 6455 §11.8 opcodes.
    package enum Opcode {
        package static let continuation: UInt8 = 0x0
        package static let text: UInt8 = 0x1
        package static let binary: UInt8 = 0x2
        package static let close: UInt8 = 0x8
        package static let ping: UInt8 = 0x9
        package static let pong: UInt8 = 0xA
    }

    /// RFC 6455 §7.4.1 status codes we send.
    package enum CloseCode {
        package static let normalClosure: UInt16 = 1000
        package static let protocolError: UInt16 = 1002
        package static let unacceptableData: UInt16 = 1003
        package static let policyViolation: UInt16 = 1008
        package static let messageTooBig: UInt16 = 1009
    }

    private enum State {
        /// Open; `inBinaryMessage` is true between a binary frame with FIN clear and the final continuation.
        case open(inBinaryMessage: Bool)
        /// A Close was sent or received: the connection is going away and frames are ignored.
        case closing
    }

    private let role: Role
    private var state = State.open(inBinaryMessage: false)

    package init(role: Role) {
        self.role = role
    }

    package var isClosing: Bool {
        if case .closing = state { return true }
        return false
    }

    /// One frame header from the peer.
    package mutating func receivedFrame(opcode: UInt8, fin: Bool, isMasked: Bool, reservedBits: UInt8) -> Action {
        guard case .open(let inBinaryMessage) = state else { return .ignore }
        // A client must mask, a server must not (§5.1); nothing negotiated an extension (§5.2).
        guard isMasked == (role == .server), reservedBits == 0 else { return fail(CloseCode.protocolError) }
        switch opcode {
        case Opcode.binary:
            guard !inBinaryMessage else { return fail(CloseCode.protocolError) }
            state = .open(inBinaryMessage: !fin)
            return .deliverPayload
        case Opcode.continuation:
            guard inBinaryMessage else { return fail(CloseCode.protocolError) }
            state = .open(inBinaryMessage: !fin)
            return .deliverPayload
        case Opcode.text:
            // The reference reads only binary messages and closes with 1003 on anything else.
            return fail(CloseCode.unacceptableData)
        case Opcode.ping:
            return .replyPong
        case Opcode.pong:
            return .ignore
        case Opcode.close:
            state = .closing
            return .echoClose
        default:
            // Reserved opcodes 0x3-0x7 and 0xB-0xF (§5.2).
            return fail(CloseCode.protocolError)
        }
    }

    /// The frame decoder found a frame it cannot accept (too large, fragmented or long control frame).
    package mutating func decoderFailed(frameTooLarge: Bool) -> Action {
        guard case .open = state else { return .ignore }
        return fail(frameTooLarge ? CloseCode.messageTooBig : CloseCode.protocolError)
    }

    /// Our side is closing the connection. Returns true when a Close frame should still be sent.
    package mutating func closingLocally() -> Bool {
        guard case .open = state else { return false }
        state = .closing
        return true
    }

    private mutating func fail(_ code: UInt16) -> Action {
        state = .closing
        return .fail(closeCode: code)
    }
}
