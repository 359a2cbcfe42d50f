import NIOCore

// Datagrams arriving on the probe sockets (stun.md §2.3, §8): accept a reply only if it parses,
// names a transaction ID we sent, arrives on the socket that sent it and carries what the test
// needs. Everything else is ignored, counted and logged, and never ends a transaction.

extension NATProbeStateMachine {
    package mutating func receivedDatagram(
        _ bytes: ByteBuffer, from source: NATEndpoint, on socket: NATSocketID, now: NIODeadline
    ) -> [Action] {
        guard !isFinished else { return [] }
        guard STUNMessage.looksLikeSTUN(bytes) else {
            ignore(socket, source, transaction: nil, now: now, "not STUN (\(bytes.readableBytes) bytes)")
            return []
        }
        let message: STUNMessage
        do {
            message = try STUNMessage.decode(bytes, allowTrailingBytes: true)
        } catch {
            // Tailscale's parser is more lenient (it skips a bad FINGERPRINT, for one); be at least
            // as lenient for replies (stun.md §2.3).
            guard let (id, mapped) = STUNMessage.tailscaleBindingResponse(bytes) else {
                ignore(socket, source, transaction: lookup(STUNMessage.peekTransactionID(bytes)), now: now,
                       "malformed STUN: \(error)")
                return []
            }
            message = STUNMessage(class: .successResponse, transactionID: id, attributes: [.xorMappedAddress(mapped)])
        }
        guard message.method == .binding else {
            ignore(socket, source, transaction: nil, now: now, "not a Binding message (\(message.method))")
            return []
        }
        switch message.messageClass {
        case .request:
            return receivedRequest(message, from: source, on: socket, now: now)
        case .indication:
            ignore(socket, source, transaction: nil, now: now, "Binding indication")
            return []
        case .successResponse, .errorResponse:
            return receivedResponse(message, from: source, on: socket, now: now)
        }
    }

    /// A Binding request can only be our own hairpin probe, looped back by the NAT to the mapping
    /// socket (stun.md §6.7).
    private mutating func receivedRequest(
        _ message: STUNMessage, from source: NATEndpoint, on socket: NATSocketID, now: NIODeadline
    ) -> [Action] {
        guard let (index, attempt) = byTransactionID[message.transactionID],
            transactions[index].record.test == .hairpin,
            socket == NATSocketID(.mapping, transactions[index].record.family)
        else {
            ignore(socket, source, transaction: nil, now: now, "unexpected Binding request")
            return []
        }
        guard transactions[index].record.reply == nil else {
            ignore(socket, source, transaction: index, now: now, "duplicate hairpin request")
            return []
        }
        complete(index, NATReply(source: source), attempt: attempt, on: socket, now: now)
        return finishIfDone(now: now)
    }

    private mutating func receivedResponse(
        _ message: STUNMessage, from source: NATEndpoint, on socket: NATSocketID, now: NIODeadline
    ) -> [Action] {
        guard let (index, attempt) = byTransactionID[message.transactionID] else {
            ignore(socket, source, transaction: nil, now: now, "unknown transaction ID \(message.transactionID)")
            return []
        }
        let record = transactions[index].record
        guard record.socket == socket else {
            ignore(socket, source, transaction: index, now: now, "reply to a request sent from \(record.socket)")
            return []
        }
        guard record.test != .hairpin else {
            ignore(socket, source, transaction: index, now: now, "a response to the hairpin probe")
            return []
        }
        guard record.reply == nil, record.failure == nil || record.failure == .noReply else {
            ignore(socket, source, transaction: index, now: now, record.reply == nil ? "late reply" : "duplicate reply")
            return []
        }
        var reply = NATReply(
            source: source,
            responseOrigin: message.responseOrigin.map(NATEndpoint.init),
            otherAddress: message.otherAddress.map(NATEndpoint.init))
        if message.messageClass == .errorResponse {
            guard let error = message.errorCode else {
                noteUnusable(index, socket, source, now: now, "error response without ERROR-CODE")
                return []
            }
            reply.errorCode = Int(error.code)
            reply.errorReason = error.reason
            complete(index, reply, attempt: attempt, on: socket, now: now)
            transactions[index].record.failure = .errorResponse
            transactions[index].record.error = "the server answered error \(error.code) \(error.reason)"
            return finishIfDone(now: now)
        }
        guard let mapped = message.mappedAddress.map(NATEndpoint.init) else {
            noteUnusable(index, socket, source, now: now, "success response without a mapped address")
            return []
        }
        guard mapped.family == record.family else {
            noteUnusable(index, socket, source, now: now, "mapped address \(mapped) is not \(record.family)")
            return []
        }
        reply.mapped = mapped
        complete(index, reply, attempt: attempt, on: socket, now: now)
        return followUp(after: index, now: now) + finishIfDone(now: now)
    }

    /// Records the reply, its RTT (from the answered transmission) and ends the transaction.
    private mutating func complete(_ index: Int, _ reply: NATReply, attempt: Int, on socket: NATSocketID, now: NIODeadline) {
        var reply = reply
        let sentAt = transactions[index].sends[attempt - 1].at
        let rtt = now - sentAt
        reply.rttMs = Self.milliseconds(rtt)
        reply.atMs = milliseconds(since: now)
        reply.attempt = attempt
        transactions[index].record.reply = reply
        transactions[index].record.failure = nil
        transactions[index].record.error = nil
        transactions[index].timer = nil
        let record = transactions[index].record
        if record.test != .hairpin {
            let key = record.destination.ip
            rttByIP[key] = min(rttByIP[key] ?? rtt, rtt)
            slowestRTT = max(slowestRTT ?? rtt, rttByIP[key] ?? rtt)
        }
        let what = reply.mapped.map { "mapped \($0)" } ?? (reply.errorCode.map { "error \($0)" } ?? "hairpin request")
        log(.received, socket, peer: reply.source, transaction: index, id: transactions[index].sends[attempt - 1].id,
            now: now, "\(record.test.rawValue) attempt \(attempt): \(what), rtt \(Self.describeRTT(rtt))")
    }

    private mutating func noteUnusable(_ index: Int, _ socket: NATSocketID, _ source: NATEndpoint, now: NIODeadline, _ why: String) {
        transactions[index].lastIgnored = why
        ignore(socket, source, transaction: index, now: now, why)
    }

    mutating func ignore(_ socket: NATSocketID, _ source: NATEndpoint, transaction: Int?, now: NIODeadline, _ why: String) {
        ignoredDatagrams += 1
        log(.ignored, socket, peer: source, transaction: transaction, id: nil, now: now, why)
    }

    private func lookup(_ id: STUNTransactionID?) -> Int? {
        id.flatMap { byTransactionID[$0]?.index }
    }

    private static func describeRTT(_ amount: TimeAmount) -> String {
        let micros = amount.nanoseconds / 1000
        return "\(micros / 1000).\(String(micros % 1000 / 10).leftPadded(to: 2)) ms"
    }
}

extension STUNMessage {
    /// Header bytes 8–19 of something that looks like STUN, for logging a malformed reply.
    static func peekTransactionID(_ bytes: ByteBuffer) -> STUNTransactionID? {
        guard looksLikeSTUN(bytes) else { return nil }
        return bytes.getSTUNTransactionID(at: bytes.readerIndex + 8)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
