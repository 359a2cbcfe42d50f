import CoreMetrics
import NIOCore

extension DERPServerConnectionHandler {
    /// Takes `min(payloadLength, 65568)` tokens from this client's receive bucket, as the reference
    /// does before processing each frame. When there are not enough, pauses reading (TCP
    /// back-pressure, nothing is dropped), arms a timer for when they will be, and returns false.
    func rateLimitAllows(payloadLength: UInt32) -> Bool {
        guard let handle, !handle.isMeshPeer, let store = server.configuration.clientRateLimit else { return true }
        let snapshot = store.snapshot
        guard let limit = snapshot.limit else {
            rateBucket = nil
            return true
        }
        let now = NIODeadline.now().uptimeNanoseconds
        if rateBucket?.generation != snapshot.generation {
            rateBucket = (TokenBucket(ratePerSecond: Double(limit.bytesPerSecond), burst: Double(limit.burstBytes), now: now), snapshot.generation)
        }
        let cost = Double(min(Int(payloadLength), DERPFrame.maxPacketSize + DERPFrame.keyLength))
        guard var entry = rateBucket else { return true }
        if entry.bucket.take(cost, now: now) {
            rateBucket = entry
            return true
        }
        let delay = entry.bucket.delayUntilAvailable(cost, now: now)
        rateBucket = entry
        guard rateResumeTimer == nil, let context else { return false }
        store.waited.increment()
        context.channel.setOption(.autoRead, value: false).whenFailure { _ in }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        rateResumeTimer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(clamping: max(delay, 1_000_000)))) {
            let handler = bound.value
            handler.rateResumeTimer = nil
            guard handler.state == .established, let context = handler.context else { return }
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
            handler.processBufferedFrames()
        }
        return false
    }
}
