import CoreMetrics

extension ClientRegistry {
    /// A mesh peer announced that it holds `key` (PeerPresent).
    package func addForwarder(_ forwarder: MeshForwarder, for key: NodePublicKey) {
        withState { state in
            var list = state.forwarders[key] ?? []
            guard !list.contains(where: { $0 === forwarder }) else { return }
            let wasKnown = state.sets[key] != nil || !list.isEmpty
            list.append(forwarder)
            state.forwarders[key] = list
            if list.count == 2 { metrics.multiForwarderCreated.increment() }
            if !wasKnown {
                metrics.clientsTotal.increment()
                metrics.clientsRemote.increment()
            }
        }
    }

    /// A mesh peer announced that `key` left it (PeerGone).
    package func removeForwarder(_ forwarder: MeshForwarder, for key: NodePublicKey) {
        let gone = withState { state in removeLocked(forwarder, for: key, state: &state) }
        for subscriber in gone { subscriber.sendPeerGone(key, reason: .disconnected) }
    }

    /// A mesh link broke: forget everything learned over it.
    package func removeAllForwarders(_ forwarder: MeshForwarder) {
        let gone = withState { state -> [(NodePublicKey, [DERPServerClient])] in
            let keys = state.forwarders.compactMap { key, list in list.contains(where: { $0 === forwarder }) ? key : nil }
            return keys.map { key in (key, removeLocked(forwarder, for: key, state: &state)) }
        }
        for (key, subscribers) in gone {
            for subscriber in subscribers { subscriber.sendPeerGone(key, reason: .disconnected) }
        }
    }

    /// Keys reachable through `forwarder` (for the debug page).
    package func forwardedKeyCount(_ forwarder: MeshForwarder) -> Int {
        withState { state in state.forwarders.values.filter { $0.contains { $0 === forwarder } }.count }
    }

    private func removeLocked(_ forwarder: MeshForwarder, for key: NodePublicKey, state: inout State) -> [DERPServerClient] {
        guard var list = state.forwarders[key], let index = list.firstIndex(where: { $0 === forwarder }) else {
            metrics.forwarderDeleteOtherValue.increment()
            return []
        }
        list.remove(at: index)
        if list.count == 1 { metrics.multiForwarderDeleted.increment() }
        if !list.isEmpty {
            state.forwarders[key] = list
            return []
        }
        state.forwarders.removeValue(forKey: key)
        guard state.sets[key] == nil else { return [] }
        metrics.clientsTotal.decrement()
        metrics.clientsRemote.decrement()
        return Array((state.peerGoneSubscribers.removeValue(forKey: key) ?? [:]).values)
    }
}
