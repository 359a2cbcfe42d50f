import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Which connections hold which keys, shared by every event loop.
///
/// One short lock protects the maps; it is never held while writing to a channel: callers get
/// a `DERPServerClient` handle back and deliver to it after the lock is released. The per-key
/// set follows the reference's "last writer is active" policy for duplicate connections.
package final class ClientRegistry: Sendable {
    package enum Route {
        case local(DERPServerClient)
        case duplicateWithoutActive
        /// Held by another derper of the region: forward over that mesh link.
        case forward(MeshForwarder)
        case unknown
    }

    struct ClientSet {
        /// Connections of the key, oldest first.
        var connections: [DERPServerClient]
        /// The connection that receives packets. nil only if a policy disabled every member.
        var active: DERPServerClient?
    }

    struct State {
        var sets: [NodePublicKey: ClientSet] = [:]
        var watchers: [ObjectIdentifier: DERPServerClient] = [:]
        /// For each source key, the connections that have received packets from it and are to be
        /// told when it leaves the region (no local connection and no mesh forwarder left).
        var peerGoneSubscribers: [NodePublicKey: [ObjectIdentifier: DERPServerClient]] = [:]
        /// Mesh forwarders per key not held locally, in registration order (the first is used).
        var forwarders: [NodePublicKey: [MeshForwarder]] = [:]
        var connectionCount = 0
        var duplicateKeys = 0
        var duplicateConnections = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Bumped, under the lock, by every change that can alter a route (see `routeGeneration`).
    private let generation = Atomic<UInt64>(0)
    let metrics: DERPServerMetrics

    /// Runs `body` on the state under the lock; counts as a route change (the mesh's forwarders).
    func withState<T>(_ body: (inout State) -> T) -> T {
        state.withLockedValue { state in
            defer { routesChanged() }
            return body(&state)
        }
    }

    /// Changes whenever the result of `route(to:)` may have changed for some key. A connection that
    /// read generation g before calling `route(to:)` may keep that route while the generation is
    /// still g.
    package var routeGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Call with the lock held, after the change.
    private func routesChanged() {
        generation.wrappingAdd(1, ordering: .releasing)
    }

    package init(metrics: DERPServerMetrics) {
        self.metrics = metrics
    }

    /// Adds a connection. The newest connection of a key becomes its active one.
    package func register(_ client: DERPServerClient) {
        let (watchers, becameDuplicate) = state.withLockedValue { state -> ([DERPServerClient], [DERPServerClient]) in
            state.connectionCount += 1
            var becameDuplicate: [DERPServerClient] = []
            if var set = state.sets[client.key] {
                if set.connections.count == 1 {
                    state.duplicateKeys += 1
                    state.duplicateConnections += 1
                    becameDuplicate.append(contentsOf: set.connections)
                }
                state.duplicateConnections += 1
                becameDuplicate.append(client)
                set.connections.append(client)
                set.active = client
                state.sets[client.key] = set
                metrics.totalDupClientConns.increment()
            } else {
                state.sets[client.key] = ClientSet(connections: [client], active: client)
                metrics.clientsLocal.increment()
                if state.forwarders[client.key] == nil { metrics.clientsTotal.increment() } else { metrics.clientsRemote.decrement() }
            }
            publishGauges(state)
            routesChanged()
            return (Array(state.watchers.values), becameDuplicate)
        }
        for member in becameDuplicate { member.setDuplicate(true) }
        for watcher in watchers where watcher !== client {
            watcher.sendPeerPresent(client.key, endpoint: client.remoteAddress, flags: client.presentFlags)
        }
    }

    /// Removes a connection; announces the key's departure when its last connection leaves.
    package func unregister(_ client: DERPServerClient, subscribedTo sources: some Sequence<NodePublicKey>) {
        let outcome = state.withLockedValue { state -> (gone: [DERPServerClient], watchers: [DERPServerClient], single: DERPServerClient?)? in
            state.watchers.removeValue(forKey: ObjectIdentifier(client))
            for source in sources {
                state.peerGoneSubscribers[source]?.removeValue(forKey: ObjectIdentifier(client))
                if state.peerGoneSubscribers[source]?.isEmpty == true { state.peerGoneSubscribers.removeValue(forKey: source) }
            }
            guard var set = state.sets[client.key],
                let index = set.connections.firstIndex(where: { $0 === client })
            else { return nil }
            defer { routesChanged() }
            state.connectionCount -= 1
            set.connections.remove(at: index)
            var single: DERPServerClient? = nil
            if set.connections.isEmpty {
                state.sets.removeValue(forKey: client.key)
                metrics.clientsLocal.decrement()
                var gone: [DERPServerClient] = []
                if state.forwarders[client.key] == nil {
                    // Left the whole region: tell those who heard from it.
                    metrics.clientsTotal.decrement()
                    gone = Array((state.peerGoneSubscribers.removeValue(forKey: client.key) ?? [:]).values)
                } else {
                    metrics.clientsRemote.increment()
                }
                publishGauges(state)
                return (gone, Array(state.watchers.values), nil)
            }
            state.duplicateConnections -= 1
            if set.connections.count == 1 {
                state.duplicateKeys -= 1
                state.duplicateConnections -= 1
                single = set.connections[0]
            }
            if set.active === client {
                // The most recent sender left takes over; without activity records, the newest.
                set.active = set.connections.last
            }
            state.sets[client.key] = set
            publishGauges(state)
            return ([], [], single)
        }
        guard let outcome else { return }
        outcome.single?.setDuplicate(false)
        for subscriber in outcome.gone where subscriber !== client {
            subscriber.sendPeerGone(client.key, reason: .disconnected)
        }
        for watcher in outcome.watchers where watcher !== client {
            watcher.sendPeerGone(client.key, reason: .disconnected)
        }
    }

    /// Where a packet for `key` goes.
    package func route(to key: NodePublicKey) -> Route {
        state.withLockedValue { state in
            if let set = state.sets[key] {
                if let active = set.active { return .local(active) }
                return .duplicateWithoutActive
            }
            if let forwarder = state.forwarders[key]?.first { return .forward(forwarder) }
            return .unknown
        }
    }

    /// "Last writer is active": a duplicate connection that sends becomes the active one.
    package func noteActivity(_ client: DERPServerClient) {
        state.withLockedValue { state in
            guard var set = state.sets[client.key], set.active !== client,
                let index = set.connections.firstIndex(where: { $0 === client })
            else { return }
            set.connections.remove(at: index)
            set.connections.append(client)
            set.active = client
            state.sets[client.key] = set
            routesChanged()
        }
    }

    /// Subscribes `subscriber` to hear when `source` leaves (it has received packets from it).
    package func subscribePeerGone(source: NodePublicKey, subscriber: DERPServerClient) {
        state.withLockedValue { state in
            guard state.sets[source] != nil || state.forwarders[source] != nil else { return }
            state.peerGoneSubscribers[source, default: [:]][ObjectIdentifier(subscriber)] = subscriber
        }
    }

    /// Adds a mesh watcher and returns every connected key with its newest connection, to announce.
    package func addWatcher(_ watcher: DERPServerClient) -> [DERPServerClient] {
        state.withLockedValue { state in
            let isNew = state.watchers.updateValue(watcher, forKey: ObjectIdentifier(watcher)) == nil
            if isNew { metrics.watchers.increment() }
            return state.sets.values.compactMap { $0.active ?? $0.connections.last }
        }
    }

    package func removeWatcher(_ watcher: DERPServerClient) {
        state.withLockedValue { state in
            if state.watchers.removeValue(forKey: ObjectIdentifier(watcher)) != nil { metrics.watchers.decrement() }
        }
    }

    /// Every connection, for shutdown notices.
    package func allClients() -> [DERPServerClient] {
        state.withLockedValue { state in state.sets.values.flatMap(\.connections) }
    }

    /// All connections of `key` (ClosePeer).
    package func connections(of key: NodePublicKey) -> [DERPServerClient] {
        state.withLockedValue { state in state.sets[key]?.connections ?? [] }
    }

    package var connectionCount: Int { state.withLockedValue { $0.connectionCount } }
    package var keyCount: Int { state.withLockedValue { $0.sets.count } }

    /// Internal consistency check for `/debug/check`: every set is non-empty and its active member belongs to it.
    package func consistencyProblems() -> [String] {
        state.withLockedValue { state in
            var problems: [String] = []
            var total = 0
            for (key, set) in state.sets {
                total += set.connections.count
                if set.connections.isEmpty { problems.append("\(key): empty connection set") }
                if let active = set.active, !set.connections.contains(where: { $0 === active }) {
                    problems.append("\(key): active connection not in its set")
                }
                if set.connections.contains(where: { $0.key != key }) { problems.append("\(key): connection under wrong key") }
            }
            if total != state.connectionCount { problems.append("connection count \(state.connectionCount) != \(total)") }
            return problems
        }
    }

    private func publishGauges(_ state: State) {
        metrics.currentConnections.set(state.connectionCount)
        metrics.currentDupClientKeys.set(state.duplicateKeys)
        metrics.currentDupClientConns.set(state.duplicateConnections)
    }
}
