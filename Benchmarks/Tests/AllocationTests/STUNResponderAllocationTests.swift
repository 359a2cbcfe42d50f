import NIOCore
import Testing

@testable import RelayCore

/// Answers requests the way the STUN server's socket loop does: every reply is written into one
/// reused scratch buffer, which is cleared once the reply has been sent (here: dropped).
struct STUNReplyLoop {
    let responder: STUNResponder
    let source = STUNAddress(ipv4: 0xCB00_7107, port: 41641)  // 203.0.113.7:41641
    var scratch = ByteBufferAllocator().buffer(capacity: 1500)
    var replies = 0

    init() throws {
        let endpoints = try STUNServerEndpoints(primary: STUNAddress(ipv4: 0x7F00_0001, port: 3478))
        responder = STUNResponder(endpoints: endpoints)
    }

    /// One request in, one success reply out, and the scratch buffer ready for the next.
    mutating func answer(_ request: ByteBuffer, expectedLength: Int) {
        if replyLength(request) == expectedLength { replies += 1 }
        // The reply, a slice of `scratch`, is gone by now, so clearing does not copy the buffer.
        scratch.clear()
    }

    private mutating func replyLength(_ request: ByteBuffer) -> Int? {
        guard case .reply(let reply) = responder.respond(to: request, from: source, into: &scratch),
            reply.kind == .success
        else { return nil }
        return reply.bytes.readableBytes
    }
}

extension AllocationTests {
    // Measured figures: Benchmarks/RESULTS.md, "Allocation gates".

    @Test("STUN: Tailscale's 40-byte Binding request is answered without allocating")
    func stunTailscaleRequest() throws {
        var loop = try STUNReplyLoop()
        let request = try STUNMessage.tailscaleBindingRequest(transactionID: STUNTransactionID(repeating: 0x5A)).encoded()
        #expect(request.readableBytes == 40)
        let iterations = 10_000
        let figure = try allocations(of: { loop.answer(request, expectedLength: 32) }, iterations: iterations)
        #expect(loop.replies == iterations + 1_000, "every request got the 32-byte reference answer")
        // STUNResponder promises this path allocates nothing: 0 in 10,000 requests in debug and in
        // release, and at most a handful in all is allowed. (Debug measured 16 per request while SOFTWARE
        // was compared with "tailnode" through the unspecialized `elementsEqual`; it is one integer
        // compare now.)
        let perRequest = ceiling(debug: 0, release: 0)
        #expect(Double(figure.allocations) <= perRequest * Double(iterations) + 4, "\(figure)")
    }

    @Test("STUN: a generic RFC 8489 Binding request with FINGERPRINT")
    func stunGenericRequest() throws {
        var loop = try STUNReplyLoop()
        let request = try STUNMessage.bindingRequest(transactionID: STUNTransactionID(repeating: 0xA5), fingerprint: true)
            .encoded()
        let iterations = 10_000
        // XOR-MAPPED-ADDRESS (12) + FINGERPRINT (8) after the header.
        let figure = try allocations(of: { loop.answer(request, expectedLength: 40) }, iterations: iterations)
        #expect(loop.replies == iterations + 1_000, "every request got a success reply with FINGERPRINT")
        // Decodes the request into a STUNMessage and encodes a built response. Debug measures 8 per
        // request. Release measured 3 before the FINGERPRINT fix: the decoded attribute array, and a copy
        // of the scratch buffer (storage and bytes) because FINGERPRINT was written while the slice it
        // was computed over was still alive; that copy is gone (debug went from 12 to 8), so the
        // release ceiling of 4 is loose until re-measured.
        #expect(figure.perIteration <= ceiling(debug: 8, release: 4), "\(figure)")
    }
}
