import NIOCore

/// The sending half of one mesh link: packets for keys held by the peer derper leave here as
/// ForwardPacket frames on the link's channel. Identity matters (the registry compares
/// forwarders with `===`), so a reconnect makes a new forwarder.
package final class MeshForwarder: Sendable, CustomStringConvertible {
    package let peerName: String
    private let channel: any Channel

    package init(peerName: String, channel: any Channel) {
        self.peerName = peerName
        self.channel = channel
    }

    package var description: String { "mesh(\(peerName))" }

    /// Writes ForwardPacket(source, destination, packet). Errors are ignored as the reference
    /// does: the packet is lost, the link's own failure handling reconnects.
    package func forward(source: NodePublicKey, destination: NodePublicKey, packet: ByteBuffer) {
        let channel = self.channel
        if channel.eventLoop.inEventLoop {
            Self.write(source: source, destination: destination, packet: packet, on: channel)
        } else {
            channel.eventLoop.execute { Self.write(source: source, destination: destination, packet: packet, on: channel) }
        }
    }

    private static func write(source: NodePublicKey, destination: NodePublicKey, packet: ByteBuffer, on channel: any Channel) {
        var packet = packet
        var buffer = channel.allocator.buffer(capacity: DERPFrame.headerLength + 2 * DERPFrame.keyLength + packet.readableBytes)
        guard (try? buffer.writeForwardPacketHeader(source: source, destination: destination, packetLength: packet.readableBytes)) != nil
        else { return }
        buffer.writeBuffer(&packet)
        channel.writeAndFlush(buffer, promise: nil)
    }
}
