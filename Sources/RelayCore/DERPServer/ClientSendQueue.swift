import NIOCore

/// A client's bounded outbound packet queue with the reference's drop policy: when full,
/// the oldest packet is dropped (`queue_head`) to make room, so fresh packets win.
/// Pure value type; the owning connection handler calls it on its event loop only.
package struct ClientSendQueue {
    package struct Entry {
        package var source: NodePublicKey
        package var packet: ByteBuffer
        package var enqueuedAt: UInt64
    }

    package let capacity: Int
    private var storage: CircularBuffer<Entry>

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.storage = CircularBuffer(initialCapacity: self.capacity)
    }

    package var isEmpty: Bool { storage.isEmpty }
    package var count: Int { storage.count }

    /// Appends `entry`; returns the entry dropped from the head to make room, if any.
    package mutating func append(_ entry: Entry) -> Entry? {
        var dropped: Entry? = nil
        if storage.count >= capacity { dropped = storage.popFirst() }
        storage.append(entry)
        return dropped
    }

    package mutating func popFirst() -> Entry? { storage.popFirst() }

    /// Empties the queue, returning what was in it (dropped as `gone_disconnected`).
    package mutating func removeAll() -> [Entry] {
        let all = Array(storage)
        storage.removeAll()
        return all
    }
}
