import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import RelayCore

/// The STUN server's own I/O thread (`STUNSocketLoop`, `STUNDatagramBurst`) on real loopback UDP:
/// bursts bigger than one `recvmmsg` batch, mixed bursts, the counters, and stopping.
@Suite(.timeLimit(.minutes(1)))
struct STUNSocketLoopTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    static func startServer(metrics: STUNServerMetrics = STUNServerMetrics()) async throws -> (STUNServer, SocketAddress) {
        var logger = Logger(label: "test.stun-loop")
        logger.logLevel = .critical
        let server = STUNServer(
            configuration: STUNServerConfiguration(host: "127.0.0.1", port: 0), metrics: metrics, logger: logger)
        try await server.start()
        return (server, try #require(await server.localAddresses.first))
    }

    /// Writes every datagram, then flushes once: NIO sends them with `sendmmsg`, so they reach the
    /// server back to back and it reads them in full batches.
    static func sendBurst(_ datagrams: [ByteBuffer], from peer: UDPPeer, to address: SocketAddress) async throws {
        let channel = peer.channel
        try await channel.eventLoop.submit {
            for datagram in datagrams {
                channel.write(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
            }
            channel.flush()
        }.get()
    }

    /// 150 requests in one burst (more than two batches of 64) each get their own answer. Not
    /// more: the replies must fit the peer's default receive buffer (about 208 KiB, at about 1 KiB
    /// of kernel memory per small datagram) even when the peer's thread is slow to read them.
    @Test func everyRequestOfALongBurstIsAnswered() async throws {
        let (server, address) = try await Self.startServer()
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let ids = (0..<150).map { _ in STUNTransactionID.random() }
        try await Self.sendBurst(try ids.map { try STUNMessage.tailscaleBindingRequest(transactionID: $0).encoded() }, from: peer, to: address)
        var answered: Set<STUNTransactionID> = []
        let client = try #require(STUNAddress(peer.localAddress))
        for _ in ids {
            let reply = try #require(STUNMessage.tailscaleBindingResponse(try await peer.receive().data))
            #expect(reply.mappedAddress == client)
            answered.insert(reply.transactionID)
        }
        #expect(answered == Set(ids))
        await peer.close()
        await server.close()
    }

    /// Successes, errors and garbage in one burst: each valid request is answered in kind, the
    /// garbage is not, and the counters say so (`success`, `not_stun` for garbage and errors alike,
    /// and the family of each success).
    @Test func mixedBurstIsAnsweredAndCounted() async throws {
        let backend = TestMetrics()
        let (server, address) = try await Self.startServer(metrics: STUNServerMetrics(factory: backend))
        let peer = try await UDPPeer.bind(host: "127.0.0.1", group: Self.group)
        let allocator = ByteBufferAllocator()
        var burst: [ByteBuffer] = []
        var successIDs: Set<STUNTransactionID> = []
        var errorIDs: Set<STUNTransactionID> = []
        for index in 0..<30 {
            let id = STUNTransactionID.random()
            switch index % 3 {
            case 0:
                successIDs.insert(id)
                burst.append(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded())
            case 1:
                // PRIORITY (0x0024): comprehension-required and unknown, so a 420.
                errorIDs.insert(id)
                let priority = STUNAttribute.unknown(type: STUNAttributeType(0x0024), value: allocator.buffer(bytes: [0, 0, 0, 1]))
                burst.append(try STUNMessage(class: .request, transactionID: id, attributes: [priority]).encoded(fingerprint: true))
            default:
                burst.append(allocator.buffer(bytes: Array(repeating: UInt8(index), count: index + 1)))
            }
        }
        try await Self.sendBurst(burst, from: peer, to: address)
        var successes: Set<STUNTransactionID> = []
        var errors: Set<STUNTransactionID> = []
        for _ in 0..<(successIDs.count + errorIDs.count) {
            let reply = try STUNMessage.decode(try await peer.receive().data)
            if reply.messageClass == .successResponse {
                successes.insert(reply.transactionID)
            } else {
                #expect(reply.errorCode?.code == 420)
                errors.insert(reply.transactionID)
            }
        }
        #expect(successes == successIDs)
        #expect(errors == errorIDs)
        // Nothing more comes: the garbage got no answer.
        await #expect(throws: UDPPeer.Timeout.self) { try await peer.receive(timeout: .milliseconds(200)) }

        // The thread adds to the counters after `sendmmsg` returns, which may be just after the
        // replies arrived here: wait (up to 5 s) for the last increment.
        func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
            backend.counterTotal(label: label, dimensions: dimensions)
        }
        for _ in 0..<500 where total("stun_requests", [("disposition", "success")]) < 10 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(total("stun_requests", [("disposition", "success")]) == 10)
        #expect(total("stun_requests", [("disposition", "not_stun")]) == 20)
        #expect(total("stun_addrfamily", [("family", "ipv4")]) == 10)
        #expect(total("stun_addrfamily", [("family", "ipv6")]) == 0)
        #expect(total("stun_requests", [("disposition", "write_error")]) == 0)
        await peer.close()
        await server.close()
    }

    /// `stop()` returns once the thread has closed its sockets: the port can be bound again at
    /// once, and the exit handlers have run.
    @Test func stopClosesTheSocketsBeforeReturning() async throws {
        let (server, address) = try await Self.startServer()
        let set = try #require(await server.socketSets.first)
        let exited = ThreadSafeFlag()
        set.onAnyClose { exited.set() }
        #expect(set.isActive)
        await server.close()
        #expect(!set.isActive)
        #expect(exited.isSet)
        let again = try STUNDatagramSocket.bind(address)
        #expect(again.localAddress.port == address.port)
        again.close()
    }
}

/// A flag set from any thread.
final class ThreadSafeFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    func set() { value.withLockedValue { $0 = true } }
    var isSet: Bool { value.withLockedValue { $0 } }
}
