import CoreMetrics
import Metrics

/// The relay's metrics, created once with fixed labels and shared by every connection.
/// Names and labels are the reference derper's (spec derp.md section 14), so dashboards
/// built for it keep working. Executables choose the backend (Prometheus in derper);
/// without a bootstrap these are no-ops.
package final class DERPServerMetrics: Sendable {
    package let accepts = Counter(label: "derp_accepts")
    package let currentConnections = Meter(label: "derp_current_connections")
    package let currentHomeConnections = Meter(label: "derp_current_home_connections")
    package let currentNotIdealConnections = Meter(label: "derp_current_notideal_connections")
    package let clientsTotal = Meter(label: "derp_clients_total")
    package let clientsLocal = Meter(label: "derp_clients_local")
    package let clientsRemote = Meter(label: "derp_clients_remote")
    package let currentDupClientKeys = Meter(label: "derp_current_dup_client_keys")
    package let currentDupClientConns = Meter(label: "derp_current_dup_client_conns")
    package let totalDupClientConns = Counter(label: "derp_total_dup_client_conns")
    package let watchers = Meter(label: "derp_watchers")
    package let bytesReceived = Counter(label: "derp_bytes_received")
    package let packetsReceived = Counter(label: "derp_packets_received")
    package let packetsReceivedDisco = Counter(label: "derp_packets_received_kind", dimensions: [("kind", "disco")])
    package let packetsReceivedOther = Counter(label: "derp_packets_received_kind", dimensions: [("kind", "other")])
    package let bytesSent = Counter(label: "derp_bytes_sent")
    package let packetsSent = Counter(label: "derp_packets_sent")
    package let packetsForwardedOut = Counter(label: "derp_packets_forwarded_out")
    package let packetsForwardedIn = Counter(label: "derp_packets_forwarded_in")
    package let peerGoneDisconnectedFrames = Counter(label: "derp_peer_gone_disconnected_frames")
    package let peerGoneNotHereFrames = Counter(label: "derp_peer_gone_not_here_frames")
    package let gotPing = Counter(label: "derp_got_ping")
    package let sentPong = Counter(label: "derp_sent_pong")
    package let homeMovesIn = Counter(label: "derp_home_moves_in")
    package let homeMovesOut = Counter(label: "derp_home_moves_out")
    package let unknownFrames = Counter(label: "derp_unknown_frames")
    package let writeTimeouts = Counter(label: "derp_sclient_write_timeouts")
    package let websocketAccepts = Counter(label: "derp_websocket_accepts")
    package let multiForwarderCreated = Counter(label: "derp_multiforwarder_created")
    package let multiForwarderDeleted = Counter(label: "derp_multiforwarder_deleted")
    package let forwarderDeleteOtherValue = Counter(label: "derp_packet_forwarder_delete_other_value")

    // Our own additions, in the same naming style.
    /// Connections closed for a protocol violation, by what was wrong.
    private let protocolErrors: [ProtocolViolation: Counter]
    /// HTTP requests answered, by endpoint.
    private let httpRequests: [HTTPEndpoint: Counter]
    package let handshakeTimeouts = Counter(label: "derp_handshake_timeouts")
    package let restartingFramesSent = Counter(label: "derp_restarting_frames")
    package let rejectedConnections = Counter(label: "derp_rejected_connections")

    private let droppedPackets: [[Counter]]
    private let droppedBytes: [[Counter]]

    package init() {
        var packets: [[Counter]] = []
        var bytes: [[Counter]] = []
        for reason in DropReason.allCases {
            packets.append(PacketKind.allCases.map { kind in
                Counter(label: "derp_packets_dropped", dimensions: [("reason", reason.rawValue), ("kind", kind.rawValue)])
            })
            bytes.append(PacketKind.allCases.map { kind in
                Counter(label: "derp_bytes_dropped", dimensions: [("reason", reason.rawValue), ("kind", kind.rawValue)])
            })
        }
        droppedPackets = packets
        droppedBytes = bytes
        var violations: [ProtocolViolation: Counter] = [:]
        for violation in ProtocolViolation.allCases {
            violations[violation] = Counter(label: "derp_protocol_errors", dimensions: [("error", violation.rawValue)])
        }
        protocolErrors = violations
        var requests: [HTTPEndpoint: Counter] = [:]
        for endpoint in HTTPEndpoint.allCases {
            requests[endpoint] = Counter(label: "derp_http_requests", dimensions: [("endpoint", endpoint.rawValue)])
        }
        httpRequests = requests
        // Make every drop series exist from startup with value 0, as the reference does.
        for row in droppedPackets { for counter in row { counter.increment(by: 0) } }
        for row in droppedBytes { for counter in row { counter.increment(by: 0) } }
        for counter in protocolErrors.values { counter.increment(by: 0) }
        for meter in [currentConnections, currentHomeConnections, currentNotIdealConnections, clientsTotal,
                      clientsLocal, clientsRemote, currentDupClientKeys, currentDupClientConns, watchers] {
            meter.set(0)
        }
    }

    package func recordDrop(_ reason: DropReason, kind: PacketKind, bytes count: Int) {
        let r = DropReason.allCases.firstIndex(of: reason) ?? 0
        let k = kind == .disco ? 0 : 1
        droppedPackets[r][k].increment()
        droppedBytes[r][k].increment(by: Int64(count))
    }

    package func recordProtocolViolation(_ violation: ProtocolViolation) {
        protocolErrors[violation]?.increment()
    }

    package func recordRequest(_ endpoint: HTTPEndpoint) {
        httpRequests[endpoint]?.increment()
    }
}

/// What a peer did wrong, as the `error` label of `derp_protocol_errors`.
package enum ProtocolViolation: String, CaseIterable, Sendable {
    case malformedHTTP = "malformed_http"
    case notUpgraded = "no_upgrade"
    case badFrame = "bad_frame"
    case badClientInfo = "bad_client_info"
    case handshakeTimeout = "handshake_timeout"
    case notMesh = "not_mesh"
    case tls = "tls"
}

/// The HTTP endpoints we count, as the `endpoint` label of `derp_http_requests`.
package enum HTTPEndpoint: String, CaseIterable, Sendable {
    case derp, probe, generate204 = "generate_204", home, robots, debug, redirect, notFound = "not_found"
}
