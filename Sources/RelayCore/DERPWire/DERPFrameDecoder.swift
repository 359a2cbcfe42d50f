import NIOCore

/// A `ByteToMessageDecoder` that turns bytes into ``DERPFrame`` values, for tests and for clients
/// where a frame per channel read is cheap enough.
///
/// The server's hot path does not use it: its connection handler owns a ``DERPFrameParser`` and
/// calls it directly, so frames never travel between handlers boxed in `NIOAny`.
///
/// Discarded frames are dropped without buffering, as with the parser. Errors are the parser's
/// ``DERPWireError``; after one the connection must close.
package struct DERPFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = DERPFrame

    private var parser: DERPFrameParser

    /// See ``DERPFrameParser/init(role:expectsHandshake:)``.
    package init(role: DERPFrameParser.Role, expectsHandshake: Bool = true) {
        self.parser = DERPFrameParser(role: role, expectsHandshake: expectsHandshake)
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.parser.next(&buffer) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        let state = try self.decode(context: context, buffer: &buffer)
        if state == .needMoreData, seenEOF, buffer.readableBytes > 0 {
            // The peer closed in the middle of a frame.
            throw ByteToMessageDecoderError.leftoverDataWhenDone(buffer)
        }
        return state
    }
}
