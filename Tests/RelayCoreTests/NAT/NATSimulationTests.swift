import NIOCore
import Testing

@testable import RelayCore

/// The probe engine and the classifier together, against a simulated NAT and simulated servers
/// on a fake clock: for every RFC 4787 mapping × filtering × hairpin combination the run must
/// find what the NAT does, and (servers 20 ms away) reach the verdict in under a second.
@Suite struct NATSimulationTests {
    typealias F = NATFixtures

    /// A NAT in front of 192.168.1.10 with public address 203.0.113.77.
    struct SimulatedNAT {
        var mapping: NATMappingBehavior
        var filtering: NATFilteringBehavior
        var hairpin: Bool
        var preservePorts = true
        static let publicIP = F.ep("203.0.113.77:1")

        private var ports: [String: UInt16] = [:]
        private var owners: [UInt16: UInt16] = [:]
        private var contacted: [UInt16: Set<NATEndpoint>] = [:]
        private var nextPort: UInt16 = 50000

        init(mapping: NATMappingBehavior, filtering: NATFilteringBehavior, hairpin: Bool) {
            self.mapping = mapping
            self.filtering = filtering
            self.hairpin = hairpin
        }

        /// The public source of a packet from `internalPort` to `destination`.
        mutating func outbound(from internalPort: UInt16, to destination: NATEndpoint) -> NATEndpoint {
            if mapping == .none { return F.ep("192.168.1.10:\(internalPort)") }
            let key: String
            switch mapping {
            case .addressDependent: key = "\(internalPort) \(destination.ipDescription)"
            case .addressAndPortDependent: key = "\(internalPort) \(destination)"
            default: key = "\(internalPort)"
            }
            let port: UInt16
            if let existing = ports[key] {
                port = existing
            } else if preservePorts && owners[internalPort] == nil {
                port = internalPort
            } else {
                nextPort += 1
                port = nextPort
            }
            ports[key] = port
            owners[port] = internalPort
            contacted[port, default: []].insert(destination)
            return Self.publicIP.withPort(port)
        }

        /// The internal port a packet from `source` to public port `port` reaches, if the filter lets it in.
        func inbound(from source: NATEndpoint, to port: UInt16) -> UInt16? {
            if mapping == .none {
                let sent = contacted[port] ?? []
                switch filtering {
                case .addressDependent: return sent.contains { $0.hasSameIP(as: source) } ? port : nil
                case .addressAndPortDependent: return sent.contains(source) ? port : nil
                default: return port
                }
            }
            guard let owner = owners[port] else { return nil }
            let sent = contacted[port] ?? []
            switch filtering {
            case .endpointIndependent: return owner
            case .addressDependent: return sent.contains { $0.hasSameIP(as: source) } ? owner : nil
            default: return sent.contains(source) ? owner : nil
            }
        }

        mutating func noteOutboundWithoutNAT(from port: UInt16, to destination: NATEndpoint) {
            contacted[port, default: []].insert(destination)
        }

        func internalOwner(of port: UInt16) -> UInt16? { mapping == .none ? port : owners[port] }
    }

    /// An RFC 5780 server (two IPs × two ports) and two DERP-like servers, 10 ms each way.
    struct World {
        static let ip1 = F.ep("198.51.100.1:1")
        static let ip2 = F.ep("198.51.100.2:1")
        static let derp = [F.ep("192.0.2.1:3478"), F.ep("192.0.2.2:3478")]

        var nat: SimulatedNAT
        var machine: NATProbeStateMachine
        var sockets: [NATSocketID: UInt16] = [:]
        var queue: [(at: NIODeadline, seq: Int, packet: Packet)] = []
        var seq = 0
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var finished = false

        enum Packet {
            case toServer(source: NATEndpoint, destination: NATEndpoint, bytes: ByteBuffer)
            case toNAT(source: NATEndpoint, port: UInt16, bytes: ByteBuffer)
        }

        init(nat: SimulatedNAT) {
            self.nat = nat
            var local: [NATSocketID: NATEndpoint] = [:]
            for (index, socket) in NATSocketID.all.enumerated() where socket.family == .ipv4 {
                let port = UInt16(40000 + index)
                sockets[socket] = port
                local[socket] = F.ep("0.0.0.0:\(port)")
            }
            let servers = [Self.ip1.withPort(3478)] + Self.derp
            let plan = NATProbePlan(servers: servers.map { NATProbeServer(address: $0) })
            machine = NATProbeStateMachine(plan: plan, sockets: local, now: now)
        }

        mutating func run() -> NATObservations {
            apply(machine.start(now: now))
            var steps = 0
            while !finished, steps < 10_000 {
                steps += 1
                let next = queue.min { ($0.at, $0.seq) < ($1.at, $1.seq) }
                if let next, next.at <= (machine.nextWakeup ?? .distantFuture) {
                    queue.removeAll { $0.seq == next.seq }
                    now = next.at
                    handle(next.packet)
                } else if let wake = machine.nextWakeup {
                    now = wake
                    apply(machine.timerFired(now: now))
                } else {
                    break
                }
            }
            return machine.observations(interfaces: F.interfaces())
        }

        mutating func apply(_ actions: [NATProbeStateMachine.Action]) {
            for action in actions {
                switch action {
                case .finish:
                    finished = true
                case .send(let socket, let destination, let bytes, _):
                    guard let port = sockets[socket] else { continue }
                    if destination.hasSameIP(as: SimulatedNAT.publicIP) {
                        hairpin(from: port, to: destination, bytes: bytes)
                        continue
                    }
                    if destination.hasSameIP(as: F.ep("192.168.1.10:1")) {
                        // To this host itself (the hairpin test without a NAT): straight in.
                        if let target = sockets.first(where: { $0.value == destination.port })?.key {
                            apply(machine.receivedDatagram(bytes, from: F.ep("192.168.1.10:\(port)"), on: target, now: now))
                        }
                        continue
                    }
                    let source: NATEndpoint
                    if nat.mapping == .none {
                        nat.noteOutboundWithoutNAT(from: port, to: destination)
                        source = F.ep("192.168.1.10:\(port)")
                    } else {
                        source = nat.outbound(from: port, to: destination)
                    }
                    enqueue(.toServer(source: source, destination: destination, bytes: bytes), after: 10)
                }
            }
        }

        /// The NAT loops a packet for its own public address back inside, if it hairpins.
        mutating func hairpin(from port: UInt16, to destination: NATEndpoint, bytes: ByteBuffer) {
            guard nat.hairpin, let owner = nat.internalOwner(of: destination.port),
                let socket = sockets.first(where: { $0.value == owner })?.key
            else { return }
            let source = nat.outbound(from: port, to: destination)
            apply(machine.receivedDatagram(bytes, from: source, on: socket, now: now))
        }

        mutating func handle(_ packet: Packet) {
            switch packet {
            case .toServer(let source, let destination, let bytes):
                guard let (reply, from) = serve(bytes, from: source, at: destination) else { return }
                enqueue(.toNAT(source: from, port: source.port, bytes: reply), after: 10)
            case .toNAT(let source, let port, let bytes):
                guard let owner = nat.inbound(from: source, to: port),
                    let socket = sockets.first(where: { $0.value == owner })?.key
                else { return }
                apply(machine.receivedDatagram(bytes, from: source, on: socket, now: now))
            }
        }

        /// The servers: RFC 5780 on 198.51.100.1/.2 × 3478/3479, DERP-like elsewhere.
        func serve(_ bytes: ByteBuffer, from source: NATEndpoint, at destination: NATEndpoint) -> (ByteBuffer, NATEndpoint)? {
            guard let request = try? STUNMessage.decode(bytes), request.isBindingRequest else { return nil }
            let isRFC5780 = destination.hasSameIP(as: Self.ip1) || destination.hasSameIP(as: Self.ip2)
            guard isRFC5780 else {
                let reply = STUNMessage.bindingSuccessResponse(transactionID: request.transactionID, mapped: source.address)
                return (try? reply.encoded()).map { ($0, destination) }
            }
            let otherIP = destination.hasSameIP(as: Self.ip1) ? Self.ip2 : Self.ip1
            let otherPort: UInt16 = destination.port == 3478 ? 3479 : 3478
            let change = request.changeRequest ?? []
            let from = (change.contains(.changeIP) ? otherIP : destination)
                .withPort(change.contains(.changePort) ? otherPort : destination.port)
            let reply = STUNMessage.bindingSuccessResponse(
                transactionID: request.transactionID, mapped: source.address, includeMappedAddress: true,
                responseOrigin: from.address, otherAddress: otherIP.withPort(otherPort).address)
            return (try? reply.encoded()).map { ($0, from) }
        }

        mutating func enqueue(_ packet: Packet, after ms: Int64) {
            seq += 1
            queue.append((now + .milliseconds(ms), seq, packet))
        }
    }

    static let natCases: [(NATMappingBehavior, NATFilteringBehavior, Bool)] = {
        var cases: [(NATMappingBehavior, NATFilteringBehavior, Bool)] = []
        for mapping in [NATMappingBehavior.endpointIndependent, .addressDependent, .addressAndPortDependent] {
            for filtering in [NATFilteringBehavior.endpointIndependent, .addressDependent, .addressAndPortDependent] {
                for hairpin in [true, false] { cases.append((mapping, filtering, hairpin)) }
            }
        }
        return cases
    }()

    @Test(arguments: natCases)
    func findsWhatTheNATDoes(mapping: NATMappingBehavior, filtering: NATFilteringBehavior, hairpin: Bool) {
        var world = World(nat: SimulatedNAT(mapping: mapping, filtering: filtering, hairpin: hairpin))
        let observations = world.run()
        let verdict = NATClassifier.classify(observations)
        let ipv4 = verdict.ipv4
        #expect(world.finished)
        #expect(ipv4?.mapping == mapping, "\(ipv4?.mappingReason ?? "")")
        #expect(ipv4?.filtering == filtering, "\(ipv4?.filteringReason ?? "")")
        #expect(ipv4?.hairpinning == hairpin, "\(ipv4?.hairpinningReason ?? "")")
        #expect(verdict.natType == (mapping == .endpointIndependent ? .easy : .hard))
        #expect(ipv4?.publicAddress?.hasSameIP(as: SimulatedNAT.publicIP) == true)
        #expect(observations.durationMs < 1000, "verdict in under 1 s with servers 20 ms away")
        #expect(observations.ignoredDatagrams == 0)
    }

    @Test(arguments: [NATFilteringBehavior.endpointIndependent, .addressDependent, .addressAndPortDependent])
    func noNATWithAFirewall(filtering: NATFilteringBehavior) {
        var world = World(nat: SimulatedNAT(mapping: .none, filtering: filtering, hairpin: false))
        let observations = world.run()
        let ipv4 = NATClassifier.classify(observations).ipv4
        #expect(ipv4?.natType == NATType.none)
        #expect(ipv4?.mapping == NATMappingBehavior.none)
        #expect(ipv4?.filtering == filtering)
        #expect(ipv4?.hairpinning == nil)
        #expect(ipv4?.publicAddress == F.ep("192.168.1.10:40000"))
    }

    @Test func portsNotPreservedAreReported() {
        var nat = SimulatedNAT(mapping: .endpointIndependent, filtering: .endpointIndependent, hairpin: true)
        nat.preservePorts = false
        var world = World(nat: nat)
        let ipv4 = NATClassifier.classify(world.run()).ipv4
        #expect(ipv4?.portPreservation == false)
        #expect(ipv4?.natType == .easy)
    }
}
