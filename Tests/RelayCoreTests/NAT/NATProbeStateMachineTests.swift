import NIOCore
import Testing

@testable import RelayCore

/// The probe engine's logic, driven by hand with a fake clock: what it sends, when it
/// retransmits, which datagrams it accepts, and when it stops.
@Suite struct NATProbeStateMachineTests {
    typealias F = NATFixtures
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let serverA = F.ep("198.51.100.1:3478")
    static let serverB = F.ep("203.0.113.1:3478")
    static let publicX = F.ep("203.0.113.77:40000")

    struct Sent {
        var socket: NATSocketID
        var destination: NATEndpoint
        var id: STUNTransactionID
        var message: STUNMessage
    }

    /// The machine plus everything it sent.
    struct Harness {
        var machine: NATProbeStateMachine
        var sent: [Sent] = []
        var finished = false

        init(servers: [NATEndpoint], timeout: TimeAmount = .seconds(3), hairpin: Bool = true, unavailable: [NATSocketID] = []) {
            var sockets: [NATSocketID: NATEndpoint] = [:]
            for (index, socket) in NATSocketID.all.enumerated() where !unavailable.contains(socket) {
                let port = UInt16(40000 + index)
                sockets[socket] = socket.family == .ipv4 ? F.ep("0.0.0.0:\(port)") : F.ep("[::]:\(port)")
            }
            let plan = NATProbePlan(servers: servers.map { NATProbeServer(address: $0) }, timeout: timeout, hairpin: hairpin)
            var errors: [NATSocketID: String] = [:]
            for socket in unavailable { errors[socket] = "address family not supported" }
            machine = NATProbeStateMachine(plan: plan, sockets: sockets, socketErrors: errors, now: NATProbeStateMachineTests.t0)
            apply(machine.start(now: NATProbeStateMachineTests.t0))
        }

        mutating func apply(_ actions: [NATProbeStateMachine.Action]) {
            for action in actions {
                switch action {
                case .send(let socket, let destination, let bytes, let id):
                    guard let message = try? STUNMessage.decode(bytes) else {
                        Issue.record("sent bytes do not decode")
                        continue
                    }
                    #expect(message.transactionID == id)
                    sent.append(Sent(socket: socket, destination: destination, id: id, message: message))
                case .finish:
                    #expect(!finished, "finish is announced once")
                    finished = true
                }
            }
        }

        mutating func at(_ ms: Int64, _ event: (inout NATProbeStateMachine, NIODeadline) -> [NATProbeStateMachine.Action]) {
            apply(event(&machine, NATProbeStateMachineTests.t0 + .milliseconds(ms)))
        }

        /// A success response to `request` from its destination (or `source`).
        mutating func reply(
            to request: Sent, at ms: Int64, mapped: NATEndpoint, source: NATEndpoint? = nil, on socket: NATSocketID? = nil,
            other: NATEndpoint? = nil
        ) {
            let response = STUNMessage.bindingSuccessResponse(
                transactionID: request.id, mapped: mapped.address, otherAddress: other?.address)
            deliver(response, at: ms, from: source ?? request.destination, on: socket ?? request.socket)
        }

        mutating func deliver(_ message: STUNMessage, at ms: Int64, from source: NATEndpoint, on socket: NATSocketID) {
            guard let bytes = try? message.encoded() else {
                Issue.record("cannot encode")
                return
            }
            deliver(bytes, at: ms, from: source, on: socket)
        }

        mutating func deliver(_ bytes: ByteBuffer, at ms: Int64, from source: NATEndpoint, on socket: NATSocketID) {
            at(ms) { $0.receivedDatagram(bytes, from: source, on: socket, now: $1) }
        }

        func sent(_ test: NATProbeTest, to destination: NATEndpoint? = nil) -> [Sent] {
            let indices = machine.transactions.indices.filter {
                machine.transactions[$0].record.test == test
                    && (destination == nil || machine.transactions[$0].record.destination == destination)
            }
            let ids = Set(indices.flatMap { machine.transactions[$0].sends.map(\.id) })
            return sent.filter { ids.contains($0.id) }
        }

        func record(_ test: NATProbeTest, to destination: NATEndpoint? = nil) -> NATTransactionRecord? {
            machine.transactions.map(\.record).first { $0.test == test && (destination == nil || $0.destination == destination) }
        }
    }

    @Test func startSendsTestIToEveryServerAtOnceFromOneSocket() throws {
        let harness = Harness(servers: [Self.serverA, Self.serverB, Self.serverA])
        let mapping = harness.sent(.mapping)
        #expect(mapping.count == 2, "duplicates are probed once")
        #expect(Set(mapping.map(\.socket)) == [NATSocketID(.mapping, .ipv4)])
        #expect(Set(mapping.map(\.destination)) == [Self.serverA, Self.serverB])
        // Tailscale's exact 40-byte request, so DERP servers answer.
        for request in mapping {
            #expect(try STUNMessage.tailscaleRequestTransactionID(request.message.encoded()) == request.id)
        }
        #expect(harness.sent(.hairpinMapping).map(\.socket) == [NATSocketID(.hairpin, .ipv4)])
        #expect(harness.machine.nextWakeup == Self.t0 + .milliseconds(250))
    }

    @Test func aReplyIsRecordedWithItsRTTAndStartsTheHairpinTest() throws {
        var harness = Harness(servers: [Self.serverA, Self.serverB])
        let request = try #require(harness.sent(.mapping, to: Self.serverA).first)
        harness.reply(to: request, at: 20, mapped: Self.publicX)
        let record = try #require(harness.record(.mapping, to: Self.serverA))
        #expect(record.mapped == Self.publicX)
        #expect(record.reply?.rttMs == 20)
        #expect(record.local == F.ep("0.0.0.0:40000"))
        let hairpin = try #require(harness.sent(.hairpin).first)
        #expect(hairpin.socket == NATSocketID(.hairpin, .ipv4))
        #expect(hairpin.destination == Self.publicX)
        // The hairpin test's timer comes from A's RTT: 2 × 20 ms, raised to the 50 ms minimum.
        let hairpinIndex = try #require(harness.machine.transactions.firstIndex { $0.record.test == .hairpin })
        #expect(harness.machine.transactions[hairpinIndex].timer == Self.t0 + .milliseconds(20 + 50))
    }

    @Test func garbageSpoofedAndMisdirectedRepliesAreIgnored() throws {
        var harness = Harness(servers: [Self.serverA])
        let request = try #require(harness.sent(.mapping).first)
        let mappingSocket = NATSocketID(.mapping, .ipv4)
        harness.deliver(ByteBuffer(bytes: [0xFF, 0x00, 0x13]), at: 1, from: Self.serverA, on: mappingSocket)
        harness.deliver(ByteBuffer(bytes: Array(repeating: 0x00, count: 40)), at: 1, from: Self.serverA, on: mappingSocket)
        // A spoofed reply: right shape, wrong transaction ID, a fake mapping.
        harness.deliver(
            STUNMessage.bindingSuccessResponse(transactionID: .random(), mapped: F.ep("192.0.2.66:1").address),
            at: 2, from: Self.serverA, on: mappingSocket)
        // The right ID on the wrong socket.
        harness.reply(to: request, at: 3, mapped: F.ep("192.0.2.66:1"), on: NATSocketID(.hairpin, .ipv4))
        // A success response without any mapped address.
        harness.deliver(STUNMessage(class: .successResponse, transactionID: request.id), at: 4, from: Self.serverA, on: mappingSocket)
        // Malformed STUN with the right ID: Message Length not a multiple of 4.
        var malformed = try STUNMessage.tailscaleBindingRequest(transactionID: request.id).encoded()
        malformed.setInteger(UInt16(0x0101), at: 0)
        malformed.setInteger(UInt16(3), at: 2)
        harness.deliver(malformed, at: 5, from: Self.serverA, on: mappingSocket)
        // An unexpected request and an indication.
        harness.deliver(STUNMessage.tailscaleBindingRequest(), at: 6, from: Self.serverA, on: mappingSocket)
        harness.deliver(STUNMessage(class: .indication, transactionID: .random()), at: 6, from: Self.serverA, on: mappingSocket)

        #expect(harness.record(.mapping)?.reply == nil)
        #expect(harness.machine.ignoredDatagrams == 8)
        #expect(!harness.finished)
        // The real reply still counts.
        harness.reply(to: request, at: 7, mapped: Self.publicX)
        #expect(harness.record(.mapping)?.mapped == Self.publicX)
    }

    @Test func unansweredRequestsAreRetransmittedWithNewIDsThenGivenUp() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        harness.at(250) { $0.timerFired(now: $1) }
        harness.at(750) { $0.timerFired(now: $1) }
        let sends = harness.sent(.mapping)
        #expect(sends.count == 3)
        #expect(Set(sends.map(\.id)).count == 3, "every transmission has its own transaction ID")
        #expect(harness.machine.nextWakeup == Self.t0 + .milliseconds(1250))
        harness.at(1250) { $0.timerFired(now: $1) }
        let record = try #require(harness.record(.mapping))
        #expect(record.failure == .noReply)
        #expect(record.transmissions == 3)
        #expect(record.error == "no reply after 3 attempts (1250 ms)")
        #expect(harness.finished)
        #expect(harness.machine.observations().durationMs == 1250)
    }

    @Test func aReplyToAnEarlierTransmissionMeasuresFromThatSend() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        harness.at(250) { $0.timerFired(now: $1) }
        let first = try #require(harness.sent(.mapping).first)
        harness.reply(to: first, at: 300, mapped: Self.publicX)
        let reply = try #require(harness.record(.mapping)?.reply)
        #expect(reply.attempt == 1)
        #expect(reply.rttMs == 300)
        #expect(harness.finished)
    }

    @Test func aLateReplyAfterGivingUpIsStillAccepted() throws {
        var harness = Harness(servers: [Self.serverA, Self.serverB], hairpin: false)
        let firstToA = try #require(harness.sent(.mapping, to: Self.serverA).first)
        harness.at(250) { $0.timerFired(now: $1) }
        harness.at(750) { $0.timerFired(now: $1) }
        // B answers its third transmission; its RFC 5780 tests keep the run going past 1250 ms.
        let lastToB = try #require(harness.sent(.mapping, to: Self.serverB).last)
        harness.reply(to: lastToB, at: 1000, mapped: Self.publicX, other: F.ep("203.0.113.2:3479"))
        harness.at(1250) { $0.timerFired(now: $1) }
        #expect(harness.record(.mapping, to: Self.serverA)?.failure == .noReply)
        #expect(!harness.finished)
        harness.reply(to: firstToA, at: 1300, mapped: Self.publicX)
        let record = try #require(harness.record(.mapping, to: Self.serverA))
        #expect(record.failure == nil)
        #expect(record.error == nil)
        #expect(record.reply?.rttMs == 1300)
    }

    @Test func nothingIsAcceptedAfterTheRun() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        for ms: Int64 in [250, 750, 1250] { harness.at(ms) { $0.timerFired(now: $1) } }
        #expect(harness.finished)
        harness.reply(to: request, at: 1260, mapped: Self.publicX)
        #expect(harness.record(.mapping)?.reply == nil)
    }

    @Test func otherAddressStartsTheRFC5780Tests() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        let other = F.ep("198.51.100.2:3479")
        harness.reply(to: request, at: 10, mapped: Self.publicX, other: other)
        #expect(harness.sent(.mappingAlternateIP).map(\.destination) == [F.ep("198.51.100.2:3478")])
        #expect(harness.sent(.mappingAlternateAddress).map(\.destination) == [other])
        #expect(harness.sent(.mappingAlternatePort).map(\.destination) == [F.ep("198.51.100.1:3479")])
        #expect(Set(harness.sent(.mappingAlternateIP).map(\.socket)) == [NATSocketID(.mapping, .ipv4)])
        let both = try #require(harness.sent(.filteringChangeIPAndPort).first)
        #expect(both.socket == NATSocketID(.filteringChangeIPAndPort, .ipv4))
        #expect(both.destination == Self.serverA)
        #expect(both.message.changeRequest == [.changeIP, .changePort])
        #expect(try STUNMessage.tailscaleRequestTransactionID(both.message.encoded()) == both.id, "still answerable by derper")
        let port = try #require(harness.sent(.filteringChangePort).first)
        #expect(port.socket == NATSocketID(.filteringChangePort, .ipv4))
        #expect(port.message.changeRequest == .changePort)
        #expect(harness.record(.filteringChangePort)?.serverOther == other)

        // The filtering reply arriving from the other address is matched by ID and recorded with its source.
        harness.reply(to: both, at: 20, mapped: F.ep("203.0.113.77:40001"), source: other)
        #expect(harness.record(.filteringChangeIPAndPort)?.reply?.source == other)
    }

    @Test func anUnusableOtherAddressIsANote() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        harness.reply(to: request, at: 10, mapped: Self.publicX, other: F.ep("198.51.100.1:3479"))
        #expect(harness.sent(.filteringChangeIPAndPort).isEmpty)
        #expect(harness.machine.notes.count == 1)
        #expect(harness.finished)
    }

    @Test func filteringRunsOncePerFamily() throws {
        var harness = Harness(servers: [Self.serverA, Self.serverB], hairpin: false)
        for (server, other) in [(Self.serverA, "198.51.100.2:3479"), (Self.serverB, "203.0.113.2:3479")] {
            let request = try #require(harness.sent(.mapping, to: server).first)
            harness.reply(to: request, at: 10, mapped: Self.publicX, other: F.ep(other))
        }
        #expect(harness.sent(.mappingAlternateAddress).count == 2)
        #expect(harness.sent(.filteringChangeIPAndPort).count == 1)
    }

    @Test func anErrorResponseEndsTheTransaction() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        harness.deliver(
            STUNMessage.errorResponse(transactionID: request.id, error: .unknownAttribute, unknownAttributes: [.changeRequest]),
            at: 5, from: Self.serverA, on: request.socket)
        let record = try #require(harness.record(.mapping))
        #expect(record.failure == .errorResponse)
        #expect(record.reply?.errorCode == 420)
        #expect(harness.finished)
    }

    @Test func theDeadlineEndsEverything() throws {
        var harness = Harness(servers: [Self.serverA, Self.serverB], timeout: .milliseconds(400))
        harness.at(250) { $0.timerFired(now: $1) }
        #expect(harness.machine.nextWakeup == Self.t0 + .milliseconds(400))
        harness.at(400) { $0.timerFired(now: $1) }
        #expect(harness.finished)
        #expect(harness.machine.transactions.allSatisfy { $0.record.failure == .deadline })
        #expect(harness.record(.mapping)?.error?.contains("400 ms deadline") == true)
        #expect(harness.machine.observations().timeoutMs == 400)
    }

    @Test func sendFailuresAndMissingSocketsAreRecorded() throws {
        var harness = Harness(servers: [Self.serverA, F.ep("[2001:db8::1]:3478")], hairpin: false,
                              unavailable: [NATSocketID(.mapping, .ipv6)])
        let v6 = try #require(harness.record(.mapping, to: F.ep("[2001:db8::1]:3478")))
        #expect(v6.failure == .socketUnavailable)
        #expect(v6.error?.contains("address family not supported") == true)
        let request = try #require(harness.sent(.mapping).first)
        harness.at(1) { $0.sendFailed(transactionID: request.id, error: "Network is unreachable", now: $1) }
        #expect(harness.record(.mapping, to: Self.serverA)?.failure == .sendFailed)
        #expect(harness.finished)
    }

    @Test func theHairpinRequestArrivingOnTheMappingSocketIsTheReply() throws {
        var harness = Harness(servers: [Self.serverA])
        let request = try #require(harness.sent(.mapping).first)
        harness.reply(to: request, at: 10, mapped: Self.publicX)
        let hairpin = try #require(harness.sent(.hairpin).first)
        // Arriving on the hairpin socket itself is not hairpinning.
        harness.deliver(hairpin.message, at: 11, from: Self.publicX, on: NATSocketID(.hairpin, .ipv4))
        #expect(harness.record(.hairpin)?.reply == nil)
        harness.deliver(hairpin.message, at: 12, from: F.ep("203.0.113.77:40005"), on: NATSocketID(.mapping, .ipv4))
        #expect(harness.record(.hairpin)?.reply?.source == F.ep("203.0.113.77:40005"))
        #expect(harness.record(.hairpin)?.reply?.mapped == nil)
    }

    @Test func tailscalesLenientParsingIsHonoured() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        // A reply with a wrong FINGERPRINT: the strict decoder refuses it, Tailscale's parser does not.
        var bytes = try STUNMessage.bindingSuccessResponse(transactionID: request.id, mapped: Self.publicX.address)
            .encoded(fingerprint: true)
        bytes.setInteger(UInt32(0xDEAD_BEEF), at: bytes.writerIndex - 4)
        harness.deliver(bytes, at: 5, from: Self.serverA, on: request.socket)
        #expect(harness.record(.mapping)?.mapped == Self.publicX)
    }

    @Test func aMappedAddressOfTheWrongFamilyIsUnusable() throws {
        var harness = Harness(servers: [Self.serverA], hairpin: false)
        let request = try #require(harness.sent(.mapping).first)
        harness.reply(to: request, at: 5, mapped: F.ep("[2001:db8::9]:1"))
        #expect(harness.record(.mapping)?.reply == nil)
        for ms: Int64 in [250, 750, 1250] { harness.at(ms) { $0.timerFired(now: $1) } }
        #expect(harness.record(.mapping)?.error?.contains("is not IPv4") == true)
    }

    @Test func theTranscriptIsCapped() throws {
        var sockets: [NATSocketID: NATEndpoint] = [:]
        for socket in NATSocketID.all { sockets[socket] = F.ep("0.0.0.0:40000") }
        let plan = NATProbePlan(servers: [NATProbeServer(address: Self.serverA)], maxEvents: 5)
        var machine = NATProbeStateMachine(plan: plan, sockets: sockets, now: Self.t0)
        _ = machine.start(now: Self.t0)
        for _ in 0..<20 {
            _ = machine.receivedDatagram(ByteBuffer(bytes: [1, 2, 3]), from: Self.serverA, on: NATSocketID(.mapping, .ipv4), now: Self.t0)
        }
        #expect(machine.observations().events.count == 5)
        #expect(machine.observations().ignoredDatagrams == 20)
    }
}
