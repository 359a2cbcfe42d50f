import NIOConcurrencyHelpers

/// Frames received by a DERP client, waiting for the reader. Unlike an AsyncStream, a reader
/// that gives up (timeout, cancellation) does not end the stream: the next read still works.
/// Bounded: when `capacity` frames are waiting, the oldest is dropped.
final class DERPFrameInbox: Sendable {
    private struct Waiter {
        var id: UInt64
        var predicate: @Sendable (DERPFrame) -> Bool
        var continuation: CheckedContinuation<DERPFrame?, Never>
    }

    private struct State {
        var frames: [DERPFrame] = []
        var head = 0
        var waiter: Waiter?
        var closed = false
        var nextID: UInt64 = 0
        /// The highest reader id that timed out or was cancelled (ids only grow; one reader at a time).
        var lastExpired: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func append(_ frame: DERPFrame) {
        let resume: (CheckedContinuation<DERPFrame?, Never>, DERPFrame)? = state.withLockedValue { state in
            if let waiter = state.waiter {
                // A waiting reader consumes frames as they come, skipping those it does not want.
                guard waiter.predicate(frame) else { return nil }
                state.waiter = nil
                return (waiter.continuation, frame)
            }
            if state.frames.count - state.head >= capacity { state.head += 1 }
            state.frames.append(frame)
            if state.head > 1024 && state.head * 2 > state.frames.count {
                state.frames.removeFirst(state.head)
                state.head = 0
            }
            return nil
        }
        if let (continuation, frame) = resume { continuation.resume(returning: frame) }
    }

    func close() {
        let waiter = state.withLockedValue { state -> Waiter? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(returning: nil)
    }

    /// The next frame matching `predicate` (earlier non-matching ones are discarded), or nil when
    /// the connection closed or `timeout` passed. Only one reader at a time.
    func next(timeout: Duration?, where predicate: @escaping @Sendable (DERPFrame) -> Bool) async -> DERPFrame? {
        let id: UInt64 = state.withLockedValue { state in
            state.nextID += 1
            return state.nextID
        }
        let timer: Task<Void, Never>? = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.expire(id)
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DERPFrame?, Never>) in
                let immediate: DERPFrame?? = state.withLockedValue { state in
                    while state.head < state.frames.count {
                        let frame = state.frames[state.head]
                        state.head += 1
                        if predicate(frame) { return .some(frame) }
                    }
                    if state.closed || state.lastExpired >= id { return .some(nil) }
                    state.waiter = Waiter(id: id, predicate: predicate, continuation: continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            expire(id)
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLockedValue { state -> Waiter? in
            state.lastExpired = max(state.lastExpired, id)
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: nil)
    }
}
