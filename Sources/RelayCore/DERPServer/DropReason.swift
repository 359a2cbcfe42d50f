/// Why the relay dropped a packet. Raw values are the reference derper's label values
/// of `derp_packets_dropped{reason,kind}`.
package enum DropReason: String, CaseIterable, Sendable {
    case unknownDestination = "unknown_dest"
    case unknownDestinationOnForward = "unknown_dest_on_fwd"
    case goneDisconnected = "gone_disconnected"
    case queueHead = "queue_head"
    case queueTail = "queue_tail"
    case writeError = "write_error"
    case duplicateClient = "dup_client"
}

/// The `kind` label: disco packets are told apart from everything else (WireGuard).
package enum PacketKind: String, CaseIterable, Sendable {
    case disco
    case other
}
