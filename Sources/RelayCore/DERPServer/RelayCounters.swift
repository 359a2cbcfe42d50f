import CoreMetrics

/// The packet counters of one connection, kept as plain integers on its event loop and added to the
/// shared metrics once per read burst or flush rather than once per packet: a swift-metrics counter
/// increment is an existential call and an atomic add, and six of them per packet were 2-3% of
/// derper's time at 64-byte packets (Benchmarks/RESULTS.md, profile item 3). The exported values lag
/// by at most one event-loop tick.
struct RelayCounters {
    private var packetsReceived = 0
    private var bytesReceived = 0
    private var packetsReceivedDisco = 0
    private var packetsSent = 0
    private var bytesSent = 0

    /// A packet this connection sent into the relay (not one forwarded in by a mesh peer).
    mutating func received(bytes: Int, kind: PacketKind) {
        packetsReceived &+= 1
        bytesReceived &+= bytes
        if kind == .disco { packetsReceivedDisco &+= 1 }
    }

    /// A packet written to this connection.
    mutating func sent(bytes: Int) {
        packetsSent &+= 1
        bytesSent &+= bytes
    }

    /// Adds what was counted since the last call to `metrics` and starts again from zero.
    mutating func publish(to metrics: DERPServerMetrics) {
        if packetsReceived > 0 {
            metrics.packetsReceived.increment(by: Int64(packetsReceived))
            metrics.bytesReceived.increment(by: Int64(bytesReceived))
            if packetsReceivedDisco > 0 { metrics.packetsReceivedDisco.increment(by: Int64(packetsReceivedDisco)) }
            let other = packetsReceived - packetsReceivedDisco
            if other > 0 { metrics.packetsReceivedOther.increment(by: Int64(other)) }
        }
        if packetsSent > 0 {
            metrics.packetsSent.increment(by: Int64(packetsSent))
            metrics.bytesSent.increment(by: Int64(bytesSent))
        }
        self = RelayCounters()
    }
}
