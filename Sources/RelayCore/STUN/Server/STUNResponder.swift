import NIOCore

/// derper's STUN server logic without sockets: one datagram in, one `Decision` out.
///
/// What it answers:
/// - **Tailscale's requests** (spec/stun.md §2.1: Binding request, SOFTWARE "tailnode", a valid
///   FINGERPRINT last) get the reference server's response byte for byte (§2.2): one
///   XOR-MAPPED-ADDRESS, no SOFTWARE, no FINGERPRINT; an IPv4 client seen as `::ffff:a.b.c.d`
///   gets an IPv4-family address. Tailscale's exact 40-byte request takes a path that allocates
///   nothing.
/// - **Other RFC 8489 Binding requests** (WebRTC stacks, coturn's `turnutils_stunclient`,
///   stuntman's `stunclient`), unless `strict`: the success response carries a FINGERPRINT if the
///   request did. Unknown comprehension-required attributes get 420 with UNKNOWN-ATTRIBUTES
///   (RFC 8489 §6.3.1). RESPONSE-PORT is honoured (RFC 5780 §7.5); with PADDING as well it is a
///   400 (RFC 5780 §6), as is RESPONSE-PORT 0.
/// - **CHANGE-REQUEST** (RFC 5780 §6.1 Table 1) is honoured when the socket it asks for exists:
///   the reply names another socket in `Reply.from`. Otherwise the answer is 420 listing
///   CHANGE-REQUEST, as RFC 5780 §6 requires of a server without that address (spec/stun.md §3).
///   In strict mode nothing is ever refused: a CHANGE-REQUEST the server cannot honour is ignored,
///   as Tailscale's server ignores every CHANGE-REQUEST.
/// - With any RFC 5780 socket configured, success responses add MAPPED-ADDRESS (RFC 5780 §6:
///   "MUST include both MAPPED-ADDRESS and XOR-MAPPED-ADDRESS") and RESPONSE-ORIGIN, plus
///   OTHER-ADDRESS when there is both a second IP and a second port, and echo PADDING's length.
///
/// Everything else — not STUN, malformed, responses, indications, other methods, sources that
/// cannot be answered — is ignored. Error responses and ignored datagrams are what the reference
/// counts as `not_stun`.
package struct STUNResponder: Sendable {
    package var endpoints: STUNServerEndpoints
    /// Answer only requests Tailscale's server would answer (derper's `-stun-strict`).
    package var strict: Bool

    package init(endpoints: STUNServerEndpoints, strict: Bool = false) {
        self.endpoints = endpoints
        self.strict = strict
    }

    /// Decides how to answer `request`, which came from `source` to the socket `socket`.
    ///
    /// A reply is appended to `buffer` (from its writer index) and `Reply.bytes` is a slice of it;
    /// on `.ignore` the buffer is left as it was. Reusing one buffer for many requests avoids an
    /// allocation per reply.
    package func respond(
        to request: ByteBuffer,
        from source: STUNAddress,
        arrivedOn socket: STUNServerSocket = .primary,
        into buffer: inout ByteBuffer
    ) -> Decision {
        guard source.isReplyableSource else { return .ignore(.unreplyableSource) }
        guard STUNMessage.looksLikeSTUN(request) else { return .ignore(.notSTUN) }
        if let transactionID = Self.exactTailscaleRequestID(request) {
            return success(transactionID, mapped: source, arrivedOn: socket, from: socket, into: &buffer)
        }
        let tailscaleID = STUNMessage.tailscaleRequestTransactionID(request)
        if strict {
            guard let tailscaleID else { return .ignore(.notTailscaleRequest) }
            var from = socket
            if endpoints.isRFC5780, let change = (try? STUNMessage.decode(request))?.changeRequest,
                endpoints.address(of: socket.changed(by: change)) != nil
            {
                from = socket.changed(by: change)
            }
            return success(tailscaleID, mapped: source, arrivedOn: socket, from: from, into: &buffer)
        }
        let message: STUNMessage
        do {
            message = try STUNMessage.decode(request)
        } catch {
            // Tailscale's server reads attributes to the end of the datagram whatever Message
            // Length says; answer what it answers.
            if let tailscaleID {
                return success(tailscaleID, mapped: source, arrivedOn: socket, from: socket, into: &buffer)
            }
            return .ignore(.malformed(error))
        }
        guard message.isBindingRequest else { return .ignore(.notBindingRequest) }
        return respond(toBindingRequest: message, isTailscale: tailscaleID != nil, from: source, arrivedOn: socket, into: &buffer)
    }

    /// RFC 8489 §6.3.1 processing of a decoded Binding request.
    private func respond(
        toBindingRequest message: STUNMessage,
        isTailscale: Bool,
        from source: STUNAddress,
        arrivedOn socket: STUNServerSocket,
        into buffer: inout ByteBuffer
    ) -> Decision {
        // Mirror FINGERPRINT, except towards Tailscale clients, whose answer must stay the reference's.
        let fingerprint = message.fingerprint != nil && !isTailscale
        var unknown = message.unknownComprehensionRequired
        var from = socket
        if let change = message.changeRequest {
            // RFC 5780 §6: a server that "cannot allocate the same ports on two different IP
            // address[es]" MUST answer 420 to any CHANGE-REQUEST; we answer 420 when the socket
            // asked for does not exist, and always without RFC 5780 sockets.
            let target = socket.changed(by: change)
            if endpoints.isRFC5780, endpoints.address(of: target) != nil {
                from = target
            } else if !unknown.contains(.changeRequest) {
                unknown.append(.changeRequest)
            }
        }
        if !unknown.isEmpty {
            return error(.unknownAttribute, unknown: unknown, to: message, fingerprint: fingerprint, from: socket, into: &buffer)
        }
        let responsePort = message.responsePort
        var paddingCount = 0
        for case .padding(let bytes) in message.attributes { paddingCount = bytes.readableBytes }
        // RFC 5780 §6: RESPONSE-PORT together with PADDING is a 400; port 0 cannot be answered.
        if let responsePort, responsePort == 0 || message.contains(.padding) {
            return error(.badRequest, to: message, fingerprint: fingerprint, from: socket, into: &buffer)
        }
        return success(
            message.transactionID, mapped: source, arrivedOn: socket, from: from, responsePort: responsePort,
            fingerprint: fingerprint, paddingCount: endpoints.isRFC5780 ? paddingCount : 0, into: &buffer)
    }

    private func success(
        _ transactionID: STUNTransactionID,
        mapped source: STUNAddress,
        arrivedOn socket: STUNServerSocket,
        from: STUNServerSocket,
        responsePort: UInt16? = nil,
        fingerprint: Bool = false,
        paddingCount: Int = 0,
        into buffer: inout ByteBuffer
    ) -> Decision {
        let start = buffer.writerIndex
        do {
            if fingerprint || paddingCount > 0 {
                var response = STUNMessage.bindingSuccessResponse(
                    transactionID: transactionID, mapped: source, includeMappedAddress: endpoints.isRFC5780,
                    responseOrigin: endpoints.isRFC5780 ? endpoints.address(of: from) : nil,
                    otherAddress: endpoints.hasOtherAddress ? endpoints.address(of: socket.other) : nil)
                if paddingCount > 0 { response.attributes.append(.padding(count: paddingCount)) }
                try buffer.writeSTUNMessage(response, fingerprint: fingerprint)
            } else {
                try writeSuccess(transactionID, mapped: source, arrivedOn: socket, from: from, into: &buffer)
            }
        } catch {
            buffer.moveWriterIndex(to: start)
            return .ignore(.malformed(error))
        }
        return reply(.success, from: from, responsePort: responsePort, start: start, buffer: buffer)
    }

    /// The response `STUNMessage.bindingSuccessResponse` describes (XOR-MAPPED-ADDRESS; with RFC 5780
    /// sockets MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS too), written without building a
    /// message or an attribute array. The tests check that both give the same bytes.
    private func writeSuccess(
        _ transactionID: STUNTransactionID,
        mapped source: STUNAddress,
        arrivedOn socket: STUNServerSocket,
        from: STUNServerSocket,
        into buffer: inout ByteBuffer
    ) throws(STUNError) {
        let start = buffer.writerIndex
        // 0x0101: Binding success response; the length is set below.
        buffer.writeMultipleIntegers(UInt16(0x0101), UInt16(0), STUNMessage.magicCookie)
        buffer.writeSTUNTransactionID(transactionID)
        let mapped = source.unmapped
        try buffer.writeSTUNAttribute(.xorMappedAddress(mapped), transactionID: transactionID)
        if endpoints.isRFC5780 {
            try buffer.writeSTUNAttribute(.mappedAddress(mapped), transactionID: transactionID)
            if let origin = endpoints.address(of: from) {
                try buffer.writeSTUNAttribute(.responseOrigin(origin), transactionID: transactionID)
            }
            if endpoints.hasOtherAddress, let other = endpoints.address(of: socket.other) {
                try buffer.writeSTUNAttribute(.otherAddress(other), transactionID: transactionID)
            }
        }
        guard let length = UInt16(exactly: buffer.writerIndex - start - STUNMessage.headerSize) else {
            throw .messageTooLarge
        }
        buffer.setInteger(length, at: start + 2)
    }

    private func error(
        _ code: STUNErrorCode,
        unknown: [STUNAttributeType] = [],
        to request: STUNMessage,
        fingerprint: Bool,
        from socket: STUNServerSocket,
        into buffer: inout ByteBuffer
    ) -> Decision {
        let start = buffer.writerIndex
        let response = STUNMessage.errorResponse(
            transactionID: request.transactionID, method: request.method, error: code, unknownAttributes: unknown)
        do {
            try buffer.writeSTUNMessage(response, fingerprint: fingerprint)
        } catch {
            buffer.moveWriterIndex(to: start)
            return .ignore(.malformed(error))
        }
        return reply(.error(code.code), from: socket, responsePort: nil, start: start, buffer: buffer)
    }

    private func reply(
        _ kind: Reply.Kind, from: STUNServerSocket, responsePort: UInt16?, start: Int, buffer: ByteBuffer
    ) -> Decision {
        // The slice covers bytes just written, so it always exists.
        let bytes = buffer.getSlice(at: start, length: buffer.writerIndex - start) ?? ByteBuffer()
        return .reply(Reply(kind: kind, from: from, responsePort: responsePort, bytes: bytes))
    }

    /// The transaction ID of Tailscale's 40-byte request exactly as its clients send it (spec/stun.md
    /// §2): Message Length 20, SOFTWARE "tailnode" first, a valid FINGERPRINT last. Such a request
    /// carries nothing else, so its answer needs no decoding.
    static func exactTailscaleRequestID(_ request: ByteBuffer) -> STUNTransactionID? {
        let start = request.readerIndex
        guard request.readableBytes == 40,
            request.getInteger(at: start + 2, as: UInt16.self) == 20,
            // SOFTWARE (0x8022), length 8.
            request.getInteger(at: start + 20, as: UInt32.self) == 0x8022_0008
        else { return nil }
        return STUNMessage.tailscaleRequestTransactionID(request)
    }
}
