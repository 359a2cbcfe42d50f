import NIOCore
import Testing

@testable import RelayCore

/// Helpers for the STUN server suites.
enum STUNServerTestSupport {
    /// Transaction ID 01 02 … 0c, the one of spec/stun.md §2's examples.
    static let sequentialID = STUNTransactionID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C)

    static func address(_ ip: String, _ port: UInt16) throws -> STUNAddress {
        try #require(STUNAddress(try SocketAddress(ipAddress: ip, port: Int(port))))
    }

    static func hex(_ buffer: ByteBuffer) -> String {
        Hex.encode(Array(buffer.readableBytesView))
    }

    static func buffer(hex: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try #require(Hex.decodeIgnoringWhitespace(hex)))
    }

    /// Tailscale's 40-byte request with `transactionID`.
    static func tailscaleRequest(_ transactionID: STUNTransactionID = sequentialID) throws -> ByteBuffer {
        try STUNMessage.tailscaleBindingRequest(transactionID: transactionID).encoded()
    }

    /// A generic Binding request (no SOFTWARE unless given) with `extra` attributes before FINGERPRINT.
    static func request(
        _ transactionID: STUNTransactionID = sequentialID,
        software: String? = nil,
        extra: [STUNAttribute] = [],
        fingerprint: Bool = true
    ) throws -> ByteBuffer {
        var attributes: [STUNAttribute] = []
        if let software { attributes.append(.software(software)) }
        attributes += extra
        let message = STUNMessage(class: .request, transactionID: transactionID, attributes: attributes)
        return try message.encoded(fingerprint: fingerprint)
    }

    /// One call of the responder on a fresh buffer.
    static func respond(
        _ responder: STUNResponder,
        _ request: ByteBuffer,
        from source: STUNAddress,
        on socket: STUNServerSocket = .primary
    ) -> STUNResponder.Decision {
        var buffer = ByteBuffer()
        return responder.respond(to: request, from: source, arrivedOn: socket, into: &buffer)
    }

    /// The reply of a decision that must be a reply.
    static func reply(_ decision: STUNResponder.Decision) throws -> STUNResponder.Reply {
        guard case .reply(let reply) = decision else {
            Issue.record("expected a reply, got \(decision)")
            throw Failure()
        }
        return reply
    }

    struct Failure: Error {}

    /// A responder without RFC 5780 sockets, on 192.0.2.1:3478.
    static func plainResponder(strict: Bool = false) throws -> STUNResponder {
        STUNResponder(endpoints: try STUNServerEndpoints(primary: address("192.0.2.1", 3478)), strict: strict)
    }

    /// A full RFC 5780 responder: IP1 192.0.2.1, IP2 192.0.2.2, P1 3478, P2 3479.
    static func rfc5780Responder(strict: Bool = false, alternatePort: Bool = true, alternateIP: Bool = true) throws -> STUNResponder {
        let endpoints = try STUNServerEndpoints(
            primary: address("192.0.2.1", 3478),
            alternatePort: alternatePort ? 3479 : nil,
            alternateIP: alternateIP ? address("192.0.2.2", 0) : nil)
        return STUNResponder(endpoints: endpoints, strict: strict)
    }
}
