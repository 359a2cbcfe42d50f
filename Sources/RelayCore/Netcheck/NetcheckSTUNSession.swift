import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The STUN phase of a report over real UDP sockets: one socket per address family for every
/// probe of the plan (so IPv4 mappings are comparable, as in Tailscale), plus a second IPv4 socket
/// for the hairpin test (stun.md §6.7). Every socket and timer lives on one event loop; results
/// accumulate in a ``NetcheckSTUNResults`` behind a lock.
///
/// The phase ends at the first of: every probe set answered (and the hairpin test settled);
/// Tailscale's "enough regions" timer; `deadline`.
final class NetcheckSTUNSession: Sendable {
    /// How long the hairpin test waits for its packet to loop back.
    static let hairpinWait: Duration = .milliseconds(500)

    struct Target: Sendable {
        var probe: NetcheckSTUNPlan.Probe
        var address: SocketAddress
        var serverName: String
    }

    private enum HairpinState {
        case disabled, waiting, running, settled
    }

    /// One lock for everything, so a socket opened late (the hairpin one) is either closed by
    /// `run` or, once the phase has finished, right away.
    private struct State {
        var results = NetcheckSTUNResults()
        var sockets: [NATSocketID: any Channel] = [:]
        var hairpin: HairpinState
        var enoughRegionsTimerStarted = false
        var finished = false
    }

    private let targets: [Target]
    private let loop: any EventLoop
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let state: NIOLockedValueBox<State>
    private let done: EventLoopPromise<Void>

    private init(targets: [Target], hairpin: Bool, loop: any EventLoop) {
        self.targets = targets
        self.loop = loop
        self.start = clock.now
        self.state = NIOLockedValueBox(State(hairpin: hairpin ? .waiting : .disabled))
        self.done = loop.makePromise(of: Void.self)
    }

    /// Runs the phase and returns what it learnt. Probes whose destination could not be resolved
    /// are simply absent from `targets`.
    static func run(
        targets: [Target], hairpin: Bool, deadline: NIODeadline, group: any EventLoopGroup
    ) async -> NetcheckSTUNResults {
        let session = NetcheckSTUNSession(targets: targets, hairpin: hairpin, loop: group.next())
        return await session.run(deadline: deadline)
    }

    private var elapsed: Duration { clock.now - start }

    private func run(deadline: NIODeadline) async -> NetcheckSTUNResults {
        for family in Set(targets.map(\.probe.family)) {
            if let channel = try? await openSocket(family: family).get() {
                state.withLockedValue { $0.sockets[NATSocketID(.mapping, family)] = channel }
            }
        }
        let timer = loop.scheduleTask(deadline: deadline) { self.endPhase() }
        for target in targets {
            loop.scheduleTask(in: TimeAmount(target.probe.delay)) { self.send(target) }
        }
        checkDone()
        try? await done.futureResult.get()
        timer.cancel()
        let channels = state.withLockedValue { state in
            defer { state.sockets = [:] }
            return Array(state.sockets.values)
        }
        for channel in channels { try? await channel.close() }
        let elapsed = self.elapsed
        return state.withLockedValue { state in
            state.results.finish(after: elapsed)
            return state.results
        }
    }

    private func openSocket(family: NATAddressFamily) -> EventLoopFuture<any Channel> {
        DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NetcheckSTUNHandler(session: self))
                }
            }
            .bind(host: family == .ipv4 ? "0.0.0.0" : "::", port: 0)
    }

    /// Sends one probe of the plan, unless the phase is over or the probe would not help.
    private func send(_ target: Target) {
        let socket = NATSocketID(.mapping, target.probe.family)
        guard let channel = state.withLockedValue({ $0.sockets[socket] }) else {
            record(target, error: "no \(target.probe.family) UDP socket could be opened")
            return
        }
        let proceed = state.withLockedValue { !$0.finished && $0.results.wouldHelp(target.probe) }
        guard proceed else { return }
        transmit(
            test: .mapping, set: target.probe.set, serverName: target.serverName, to: target.address, on: channel)
    }

    private func record(_ target: Target, error: String) {
        guard let destination = Self.endpoint(target.address) else { return }
        let time = elapsed
        state.withLockedValue { state in
            guard !state.finished, state.results.wouldHelp(target.probe) else { return }
            state.results.sent(
                .random(), test: .mapping, set: target.probe.set, serverName: target.serverName,
                destination: destination, local: nil, at: time, error: error)
        }
    }

    private func transmit(
        test: NATProbeTest, set: NetcheckSTUNPlan.SetID?, serverName: String, to address: SocketAddress,
        on channel: any Channel
    ) {
        guard let destination = Self.endpoint(address) else { return }
        let request = STUNMessage.tailscaleBindingRequest()
        let local = channel.localAddress.flatMap(Self.endpoint)
        let bytes: ByteBuffer
        do {
            bytes = try request.encoded()
        } catch {
            return
        }
        let time = elapsed
        state.withLockedValue { state in
            state.results.sent(
                request.transactionID, test: test, set: set, serverName: serverName, destination: destination,
                local: local, at: time)
        }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: bytes)).whenComplete { result in
            let error: String?
            if case .failure(let failure) = result { error = "cannot send: \(failure)" } else { error = nil }
            self.state.withLockedValue { state in
                state.results.writeCompleted(request.transactionID, error: error)
                if state.hairpin == .running, state.results.hairpinSettled { state.hairpin = .settled }
            }
            self.checkDone()
        }
    }

    // MARK: Events from the sockets (on the loop)

    func receivedResponse(_ transactionID: STUNTransactionID, mapped: STUNAddress, from source: SocketAddress) {
        guard let sourceAddress = STUNAddress(source) else { return }
        let time = elapsed
        let startHairpin = state.withLockedValue { state -> (server: NATEndpoint, serverName: String, mapped: NATEndpoint)? in
            guard !state.finished else { return nil }
            let matched = state.results.received(
                transactionID, mapped: NATEndpoint(mapped), source: NATEndpoint(sourceAddress), at: time)
            guard matched else { return nil }
            if state.hairpin == .running, state.results.hairpinSettled { state.hairpin = .settled }
            if !state.enoughRegionsTimerStarted, state.results.regionLatency.count == 3 {
                state.enoughRegionsTimerStarted = true
                let wait = (state.results.regionLatency.values.max() ?? .zero) * 2
                loop.scheduleTask(in: TimeAmount(wait)) { self.endPhase() }
            }
            guard state.hairpin == .waiting, let first = state.results.firstIPv4Answer else { return nil }
            state.hairpin = .running
            return first
        }
        if let startHairpin {
            runHairpinTest(server: startHairpin.server, serverName: startHairpin.serverName, publicEndpoint: startHairpin.mapped)
        }
        checkDone()
    }

    func receivedRequest(_ transactionID: STUNTransactionID, from source: SocketAddress) {
        guard let sourceAddress = STUNAddress(source) else { return }
        let time = elapsed
        state.withLockedValue { state in
            guard !state.finished, state.results.hairpinArrived(transactionID, source: NATEndpoint(sourceAddress), at: time),
                state.results.hairpinSettled
            else { return }
            state.hairpin = .settled
        }
        checkDone()
    }

    // MARK: Hairpin

    /// From a second IPv4 socket: a Binding request to the server that answered first (to learn
    /// this socket's own mapping and open it), then one to the mapping socket's public endpoint.
    private func runHairpinTest(server: NATEndpoint, serverName: String, publicEndpoint: NATEndpoint) {
        openSocket(family: .ipv4).whenComplete { result in
            guard case .success(let channel) = result,
                let serverAddress = try? server.address.makeSocketAddress(),
                let publicAddress = try? publicEndpoint.address.makeSocketAddress()
            else {
                self.state.withLockedValue { $0.hairpin = .settled }
                self.checkDone()
                return
            }
            let kept = self.state.withLockedValue { state in
                guard !state.finished else { return false }
                state.sockets[NATSocketID(.hairpin, .ipv4)] = channel
                return true
            }
            guard kept else {
                channel.close(promise: nil)
                return
            }
            self.transmit(test: .hairpinMapping, set: nil, serverName: serverName, to: serverAddress, on: channel)
            self.transmit(test: .hairpin, set: nil, serverName: "this host's public endpoint", to: publicAddress, on: channel)
            self.loop.scheduleTask(in: TimeAmount(Self.hairpinWait)) {
                self.state.withLockedValue { state in
                    state.results.hairpinTimedOut(after: Self.hairpinWait)
                    state.hairpin = .settled
                }
                self.checkDone()
            }
        }
    }

    static func endpoint(_ address: SocketAddress) -> NATEndpoint? {
        STUNAddress(address).map { NATEndpoint($0) }
    }

    /// Ends the phase when every set that can be answered has its reply and the hairpin test
    /// (if it started) has settled. Sets whose socket could not be opened cannot be answered.
    private func checkDone() {
        let complete = state.withLockedValue { state in
            let live = targets.map(\.probe).filter { state.sockets[NATSocketID(.mapping, $0.family)] != nil }.map(\.set)
            return state.hairpin != .running && Set(live).isSubset(of: state.results.answeredSets)
        }
        if complete { endPhase() }
    }

    /// Stops sending and lets ``run(deadline:)`` collect the results.
    private func endPhase() {
        state.withLockedValue { $0.finished = true }
        done.succeed()
    }
}
