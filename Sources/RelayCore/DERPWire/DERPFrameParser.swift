import NIOCore

/// Reads DERP frames out of a byte stream for one side of a connection.
///
/// The parser is a small state machine: it owns no buffer, only whether the handshake frame is
/// still due and how many bytes of a discarded frame are still to come. Call ``next(_:)`` (or
/// ``nextOutput(_:)``) with the connection's receive buffer whenever bytes arrive.
///
/// - **Need more vs malformed.** A frame that is a valid prefix so far returns nil and leaves the
///   reader index where it was. A frame that can never be valid throws ``DERPWireError``, and
///   the connection must close. Lengths are checked from the header before any body is buffered.
/// - **Roles.** A server acts only on frames clients send, a client only on frames servers send.
///   Each role enforces exactly the limits Tailscale's code enforces for the frames it acts on
///   (spec/derp.md §5, §7, §9.7) and discards every other frame, unknown types included.
/// - **Discarding never buffers.** A discarded frame's header is consumed, then its payload is
///   dropped from the buffer as it arrives, however long it claims to be (a server accepts even
///   a declared 4 GiB). The same holds for bytes after the part of a frame the role reads
///   (a KeepAlive's payload, a Ping beyond 8 bytes, future PeerPresent fields).
package struct DERPFrameParser: Sendable {
    /// Which side of the connection this parser reads for.
    package enum Role: Hashable, Sendable {
        /// Reads client→server frames (derpserver.go `sclient.run`, `recvClientKey`).
        case server
        /// Reads server→client frames (derp_client.go `recvServerKey`, `Recv`).
        case client
    }

    /// What one step of parsing produced.
    package enum Output: Hashable, Sendable {
        /// A frame this role acts on, with the payload length its header declared.
        case frame(DERPFrame, payloadLength: UInt32)
        /// A frame this role discards. Its payload is dropped as it arrives.
        case skipped(SkippedFrame)
    }

    /// A frame the parser discarded, reported so that callers can count, log or rate-limit it.
    package struct SkippedFrame: Hashable, Sendable {
        package enum Reason: Hashable, Sendable {
            /// The type byte is unassigned.
            case unknownType
            /// The type is assigned, but this role never acts on it (for example a Pong sent to a
            /// server, a SendPacket sent to a client, or a second ClientInfo).
            case ignoredByRole
            /// The client drops this frame because it is too short to hold what its type needs
            /// (RecvPacket, PeerGone, PeerPresent < 32 bytes; Ping, Pong, Restarting < 8 bytes).
            case tooShort
        }

        package var rawType: UInt8
        package var payloadLength: UInt32
        package var reason: Reason

        package init(rawType: UInt8, payloadLength: UInt32, reason: Reason) {
            self.rawType = rawType
            self.payloadLength = payloadLength
            self.reason = reason
        }

        /// The frame's type, or nil if the type byte is unassigned.
        package var type: DERPFrameType? { DERPFrameType(rawValue: rawType) }
    }

    package let role: Role
    /// True until the handshake frame (ClientInfo for a server, ServerKey for a client) is read.
    package private(set) var isAwaitingHandshake: Bool
    /// Payload bytes of a discarded frame (or of a frame's unread tail) still to be dropped.
    package private(set) var bytesRemainingToSkip: UInt32 = 0

    /// - Parameters:
    ///   - role: The side of the connection this parser reads for.
    ///   - expectsHandshake: When true (the default) the first frame must be the handshake frame,
    ///     checked as Tailscale checks it; any other first frame throws ``DERPWireError/Code/unexpectedFrame``.
    ///     Afterwards, and always when false, handshake frames are discarded: a client that already
    ///     knows the server key (fast start) skips the ServerKey, as derp_client.go `Recv` does.
    package init(role: Role, expectsHandshake: Bool = true) {
        self.role = role
        self.isAwaitingHandshake = expectsHandshake
    }

    /// Returns the next frame this role acts on, silently discarding any others, or nil when more
    /// bytes are needed.
    package mutating func next(_ buffer: inout ByteBuffer) throws(DERPWireError) -> DERPFrame? {
        while let output = try self.nextOutput(&buffer) {
            if case .frame(let frame, _) = output {
                return frame
            }
        }
        return nil
    }

    /// Returns the next frame or discarded frame, or nil when more bytes are needed.
    ///
    /// A discarded frame is reported once its header has arrived; its payload, like the unread
    /// tail of a frame, is dropped at once as far as the buffer holds it, and by later calls as
    /// the rest arrives.
    package mutating func nextOutput(_ buffer: inout ByteBuffer) throws(DERPWireError) -> Output? {
        self.dropSkippedBytes(&buffer)
        if self.bytesRemainingToSkip > 0 {
            return nil
        }

        guard let (rawType, length) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt8, UInt32).self) else {
            return nil
        }

        switch try self.plan(rawType: rawType, length: length) {
        case .skip(let reason):
            buffer.moveReaderIndex(forwardBy: DERPFrame.headerLength)
            self.bytesRemainingToSkip = length
            self.dropSkippedBytes(&buffer)
            return .skipped(SkippedFrame(rawType: rawType, payloadLength: length, reason: reason))

        case .read(let type, let bodyLength):
            // `plan` only returns bodies of at most a few MiB, so `bodyLength` fits any Int.
            guard
                var body = buffer.getSlice(
                    at: buffer.readerIndex + DERPFrame.headerLength,
                    length: Int(bodyLength)
                )
            else {
                return nil
            }
            let frame = try Self.decodePayload(type: type, body: &body)
            buffer.moveReaderIndex(forwardBy: DERPFrame.headerLength + Int(bodyLength))
            self.bytesRemainingToSkip = length - bodyLength
            self.dropSkippedBytes(&buffer)
            self.isAwaitingHandshake = false
            return .frame(frame, payloadLength: length)
        }
    }

    /// Drops as much of the payload still to be skipped as the buffer holds.
    private mutating func dropSkippedBytes(_ buffer: inout ByteBuffer) {
        guard self.bytesRemainingToSkip > 0 else {
            return
        }
        // Never more than the buffer's Int-sized readable count, so the conversion is safe.
        let dropped = min(self.bytesRemainingToSkip, UInt32(clamping: buffer.readableBytes))
        buffer.moveReaderIndex(forwardBy: Int(dropped))
        self.bytesRemainingToSkip -= dropped
    }

    // MARK: - Deciding from the header

    enum Plan: Hashable {
        /// Decode the first `bodyLength` payload bytes, then drop the rest of the payload.
        case read(DERPFrameType, bodyLength: UInt32)
        /// Drop the whole payload.
        case skip(SkippedFrame.Reason)
    }

    func plan(rawType: UInt8, length: UInt32) throws(DERPWireError) -> Plan {
        switch self.role {
        case .server: return try self.serverPlan(rawType: rawType, length: length)
        case .client: return try self.clientPlan(rawType: rawType, length: length)
        }
    }

    /// Frames a server reads (derpserver.go `recvClientKey`, `sclient.run` and its `handleFrame…`).
    private func serverPlan(rawType: UInt8, length: UInt32) throws(DERPWireError) -> Plan {
        if self.isAwaitingHandshake {
            // "bad frame type", then "short client info" / "long client info".
            guard rawType == DERPFrameType.clientInfo.rawValue else {
                throw .unexpectedFrame(type: rawType, expected: .clientInfo)
            }
            let range = DERPFrame.ClientInfoMessage.minimumLength...DERPFrame.ClientInfoMessage.maximumLength
            try Self.require(length, in: range, type: rawType)
            return .read(.clientInfo, bodyLength: length)
        }
        guard let type = DERPFrameType(rawValue: rawType) else {
            return .skip(.unknownType)
        }
        switch type {
        case .sendPacket:
            try Self.requirePacket(length, keys: 1, type: rawType)
            return .read(type, bodyLength: length)
        case .forwardPacket:
            try Self.requirePacket(length, keys: 2, type: rawType)
            return .read(type, bodyLength: length)
        case .notePreferred:
            try Self.require(length, in: 1...1, type: rawType)
            return .read(type, bodyLength: length)
        case .watchConns:
            try Self.require(length, in: 0...0, type: rawType)
            return .read(type, bodyLength: length)
        case .closePeer:
            try Self.require(length, in: DERPFrame.keyLength...DERPFrame.keyLength, type: rawType)
            return .read(type, bodyLength: length)
        case .ping:
            // 8…1000 bytes; only the first 8 are used.
            try Self.require(length, in: DERPFrame.PingData.length...DERPFrame.PingData.serverMaximumPingLength, type: rawType)
            return .read(type, bodyLength: UInt32(DERPFrame.PingData.length))
        case .clientInfo, .serverKey, .serverInfo, .recvPacket, .keepAlive, .peerGone, .peerPresent, .pong, .health,
            .restarting:
            return .skip(.ignoredByRole)
        }
    }

    /// Frames a client reads (derp_client.go `recvServerKey`, `Recv`).
    private func clientPlan(rawType: UInt8, length: UInt32) throws(DERPWireError) -> Plan {
        // "unexpectedly large frame": fatal for every type, known or not.
        guard length <= DERPFrame.maxInfoLength else {
            throw .frameTooLarge(type: rawType, length: UInt64(length), limit: DERPFrame.maxInfoLength)
        }
        if self.isAwaitingHandshake {
            // readFrame(1 KiB cap), then "invalid server greeting" for a short frame or wrong type.
            guard rawType == DERPFrameType.serverKey.rawValue else {
                throw .unexpectedFrame(type: rawType, expected: .serverKey)
            }
            let range = DERPFrame.ServerKeyMessage.minimumLength...DERPFrame.maxServerKeyLength
            try Self.require(length, in: range, type: rawType)
            return .read(.serverKey, bodyLength: UInt32(DERPFrame.ServerKeyMessage.minimumLength))
        }
        guard let type = DERPFrameType(rawValue: rawType) else {
            return .skip(.unknownType)
        }
        switch type {
        case .serverInfo:
            let range = DERPFrame.ServerInfoMessage.minimumLength...DERPFrame.ServerInfoMessage.maximumLength
            try Self.require(length, in: range, type: rawType)
            return .read(type, bodyLength: length)
        case .recvPacket:
            return Self.readOrDrop(type, length, minimum: DERPFrame.RecvPacketMessage.minimumLength, body: length)
        case .keepAlive:
            return .read(type, bodyLength: 0)
        case .peerGone:
            let body = min(length, UInt32(DERPFrame.PeerGoneMessage.length))
            return Self.readOrDrop(type, length, minimum: DERPFrame.PeerGoneMessage.minimumLength, body: body)
        case .peerPresent:
            let body = min(length, UInt32(DERPFrame.PeerPresentMessage.length))
            return Self.readOrDrop(type, length, minimum: DERPFrame.PeerPresentMessage.minimumLength, body: body)
        case .ping, .pong:
            let body = UInt32(DERPFrame.PingData.length)
            return Self.readOrDrop(type, length, minimum: DERPFrame.PingData.length, body: body)
        case .health:
            return .read(type, bodyLength: length)
        case .restarting:
            let body = UInt32(DERPFrame.RestartingMessage.length)
            return Self.readOrDrop(type, length, minimum: DERPFrame.RestartingMessage.length, body: body)
        case .serverKey, .clientInfo, .sendPacket, .notePreferred, .forwardPacket, .watchConns, .closePeer:
            return .skip(.ignoredByRole)
        }
    }

    private static func require(_ length: UInt32, in range: ClosedRange<Int>, type: UInt8) throws(DERPWireError) {
        guard UInt64(length) >= UInt64(range.lowerBound), UInt64(length) <= UInt64(range.upperBound) else {
            let expected = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
            throw .invalidFrameLength(type: type, length: length, expected: expected)
        }
    }

    /// SendPacket / ForwardPacket: the keys must be there ("short send packet frame") and the
    /// packet after them at most `maxPacketSize` ("data packet longer than max").
    private static func requirePacket(_ length: UInt32, keys: Int, type: UInt8) throws(DERPWireError) {
        let keyBytes = UInt64(keys * DERPFrame.keyLength)
        guard UInt64(length) >= keyBytes else {
            throw .invalidFrameLength(type: type, length: length, expected: "at least \(keyBytes)")
        }
        guard UInt64(length) - keyBytes <= UInt64(DERPFrame.maxPacketSize) else {
            throw .packetTooLarge(type: type, packetLength: UInt64(length) - keyBytes)
        }
    }

    private static func readOrDrop(_ type: DERPFrameType, _ length: UInt32, minimum: Int, body: UInt32) -> Plan {
        UInt64(length) < UInt64(minimum) ? .skip(.tooShort) : .read(type, bodyLength: body)
    }
}
