import NIOCore

/// Carries out a `NATProbeStateMachine`'s actions on one event loop: sends datagrams, keeps one
/// timer armed for the machine's next wake-up, and completes a promise with the observations.
/// Every method runs on `eventLoop`; the channels were bootstrapped on it too.
final class NATProbeDriver {
    private var machine: NATProbeStateMachine
    private let channels: [NATSocketID: any Channel]
    private let eventLoop: any EventLoop
    private let promise: EventLoopPromise<NATObservations>
    private var timer: Scheduled<Void>?
    private var isDone = false

    private init(machine: NATProbeStateMachine, channels: [NATSocketID: any Channel], eventLoop: any EventLoop) {
        self.machine = machine
        self.channels = channels
        self.eventLoop = eventLoop
        self.promise = eventLoop.makePromise()
    }

    /// Installs the handlers and starts the run. Call on `eventLoop`.
    static func start(
        plan: NATProbePlan, channels: [NATSocketID: any Channel], socketErrors: [NATSocketID: String],
        eventLoop: any EventLoop
    ) -> EventLoopFuture<NATObservations> {
        eventLoop.preconditionInEventLoop()
        var sockets: [NATSocketID: NATEndpoint] = [:]
        for (socket, channel) in channels {
            if let address = channel.localAddress, let local = STUNAddress(address) { sockets[socket] = NATEndpoint(local) }
        }
        let now = NIODeadline.now()
        let machine = NATProbeStateMachine(plan: plan, sockets: sockets, socketErrors: socketErrors, now: now)
        let driver = NATProbeDriver(machine: machine, channels: channels, eventLoop: eventLoop)
        do {
            for (socket, channel) in channels {
                try channel.pipeline.syncOperations.addHandler(NATProbeChannelHandler(socket: socket, driver: driver))
            }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        driver.execute(driver.machine.start(now: now))
        return driver.promise.futureResult
    }

    func received(_ bytes: ByteBuffer, from remote: SocketAddress, on socket: NATSocketID) {
        guard !isDone, let source = STUNAddress(remote) else { return }
        execute(machine.receivedDatagram(bytes, from: NATEndpoint(source), on: socket, now: .now()))
    }

    private func timerFired() {
        timer = nil
        guard !isDone else { return }
        execute(machine.timerFired(now: .now()))
    }

    private func execute(_ actions: [NATProbeStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let socket, let destination, let bytes, let id):
                send(bytes, to: destination, from: socket, transactionID: id)
            case .finish:
                finish()
            }
        }
        rearm()
    }

    private func send(_ bytes: ByteBuffer, to destination: NATEndpoint, from socket: NATSocketID, transactionID: STUNTransactionID) {
        guard !isDone else { return }
        guard let channel = channels[socket] else {
            execute(machine.sendFailed(transactionID: transactionID, error: "the \(socket) socket is not open", now: .now()))
            return
        }
        let address: SocketAddress
        do {
            address = try destination.address.makeSocketAddress()
        } catch {
            execute(machine.sendFailed(transactionID: transactionID, error: "\(error)", now: .now()))
            return
        }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: bytes)).assumeIsolated().whenFailure { error in
            guard !self.isDone else { return }
            self.execute(self.machine.sendFailed(transactionID: transactionID, error: "\(error)", now: .now()))
        }
    }

    private func rearm() {
        timer?.cancel()
        timer = nil
        guard !isDone, let wakeup = machine.nextWakeup else { return }
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: wakeup) { self.timerFired() }
    }

    private func finish() {
        guard !isDone else { return }
        isDone = true
        timer?.cancel()
        timer = nil
        promise.succeed(machine.observations())
    }
}

@available(*, unavailable)
extension NATProbeDriver: Sendable {}
