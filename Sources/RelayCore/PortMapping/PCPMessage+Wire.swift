import NIOCore

extension PCPMessage {
    /// Decodes one datagram (RFC 6887 §7, §8.3, §11.1).
    ///
    /// Throws for a length outside 24…1,100 or not a multiple of 4, a version other than 2, a MAP
    /// success without its 36 bytes, or an option that overruns the message. MAP data missing
    /// from an error response is allowed (`map == nil`). Opcodes other than ANNOUNCE and MAP are
    /// kept with their bytes unparsed, since their options can't be found without their layout.
    package static func decode(_ datagram: ByteBuffer) throws(PortMappingError) -> PCPMessage {
        var bytes = datagram
        let length = bytes.readableBytes
        guard length >= Self.headerSize, length <= Self.maximumSize, length % 4 == 0 else {
            if let version = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self), version != Self.version {
                throw .unsupportedVersion(.pcp, version)
            }
            throw .badLength(.pcp, length)
        }
        guard let (version, opcodeByte) = bytes.readMultipleIntegers(as: (UInt8, UInt8).self) else {
            throw .truncated(.pcp)
        }
        guard version == Self.version else { throw .unsupportedVersion(.pcp, version) }
        let isResponse = opcodeByte & Self.responseBit != 0
        let opcode = Opcode(lowBitsOf: opcodeByte)
        if isResponse {
            return .response(try decodeResponse(opcode: opcode, from: &bytes))
        }
        return .request(try decodeRequest(opcode: opcode, from: &bytes))
    }

    private static func decodeRequest(opcode: Opcode, from bytes: inout ByteBuffer) throws(PortMappingError) -> Request {
        guard let (_, lifetime) = bytes.readMultipleIntegers(as: (UInt16, UInt32).self),
            let client = bytes.readPortMappingAddress()
        else { throw .truncated(.pcp) }
        var request = Request(opcode: opcode, lifetime: lifetime, clientAddress: client)
        switch opcode {
        case .announce:
            break
        case .map:
            guard let map = bytes.readPCPMapData() else { throw .truncated(.pcp) }
            request.map = map
        default:
            return request
        }
        request.options = try readOptions(from: &bytes)
        return request
    }

    private static func decodeResponse(opcode: Opcode, from bytes: inout ByteBuffer) throws(PortMappingError) -> Response {
        // Offset 2: reserved (1), result (1), lifetime (4), epoch (4), reserved (12).
        guard let (_, rawResult, lifetime, epoch) = bytes.readMultipleIntegers(as: (UInt8, UInt8, UInt32, UInt32).self),
            bytes.readSlice(length: 12) != nil
        else { throw .truncated(.pcp) }
        var response = Response(opcode: opcode, resultCode: ResultCode(rawValue: rawResult), lifetime: lifetime, epochTime: epoch)
        switch opcode {
        case .announce:
            break
        case .map:
            if let map = bytes.readPCPMapData() {
                response.map = map
            } else if response.resultCode == .success {
                throw .truncated(.pcp)
            } else {
                return response
            }
        default:
            response.unparsedByteCount = bytes.readableBytes
            return response
        }
        response.options = try readOptions(from: &bytes)
        return response
    }

    /// Options until the end of the message (RFC 6887 §7.3). The data of each is padded to a
    /// multiple of 4; the padding must be present.
    private static func readOptions(from bytes: inout ByteBuffer) throws(PortMappingError) -> [Option] {
        var options: [Option] = []
        while bytes.readableBytes > 0 {
            guard let (code, _, length) = bytes.readMultipleIntegers(as: (UInt8, UInt8, UInt16).self) else {
                throw .malformed(.pcp, "option header overruns the message")
            }
            let padded = (Int(length) + 3) & ~3
            guard padded <= bytes.readableBytes, let data = bytes.readBytes(length: Int(length)) else {
                throw .malformed(.pcp, "option \(code) of \(length) bytes overruns the message")
            }
            bytes.moveReaderIndex(forwardBy: padded - Int(length))
            options.append(Option(code: code, data: data))
        }
        return options
    }

    /// The message encoded into a new buffer. Throws `.malformed` for a MAP without its data and
    /// `.badLength` if options make it longer than 1,100 bytes; option data is zero-padded to 4.
    package func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(PortMappingError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Self.headerSize + Self.mapDataSize)
        let map: MapData?
        let options: [Option]
        let opcode: Opcode
        switch self {
        case .request(let request):
            buffer.writeMultipleIntegers(Self.version, request.opcode.rawValue, UInt16(0), request.lifetime)
            buffer.writePortMappingAddress(request.clientAddress)
            (map, options, opcode) = (request.map, request.options, request.opcode)
        case .response(let response):
            buffer.writeMultipleIntegers(
                Self.version, response.opcode.rawValue | Self.responseBit, UInt8(0), response.resultCode.rawValue,
                response.lifetime, response.epochTime
            )
            buffer.writeRepeatingByte(0, count: 12)
            (map, options, opcode) = (response.map, response.options, response.opcode)
        }
        if let map {
            buffer.writePCPMapData(map)
        } else if opcode == .map, case .request = self {
            throw .malformed(.pcp, "a MAP request needs its mapping data")
        }
        for option in options {
            guard let length = UInt16(exactly: option.data.count) else { throw .badLength(.pcp, option.data.count) }
            buffer.writeMultipleIntegers(option.code, UInt8(0), length)
            buffer.writeBytes(option.data)
            buffer.writeRepeatingByte(0, count: (4 - option.data.count % 4) % 4)
        }
        guard buffer.readableBytes <= Self.maximumSize else { throw .badLength(.pcp, buffer.readableBytes) }
        return buffer
    }
}

extension ByteBuffer {
    /// Reads MAP's 36 bytes, or returns nil (reader index unchanged) if fewer are readable.
    mutating func readPCPMapData() -> PCPMessage.MapData? {
        let start = readerIndex
        guard let (nonceHigh, nonceLow, ipProtocol, _, _) = readMultipleIntegers(as: (UInt64, UInt32, UInt8, UInt8, UInt16).self),
            let (internalPort, externalPort) = readMultipleIntegers(as: (UInt16, UInt16).self),
            let address = readPortMappingAddress()
        else {
            moveReaderIndex(to: start)
            return nil
        }
        return PCPMessage.MapData(
            nonce: PCPMessage.Nonce(high: nonceHigh, low: nonceLow), ipProtocol: ipProtocol,
            internalPort: internalPort, externalPort: externalPort, externalAddress: address
        )
    }

    @discardableResult
    mutating func writePCPMapData(_ map: PCPMessage.MapData) -> Int {
        writeMultipleIntegers(map.nonce.high, map.nonce.low, map.ipProtocol, UInt8(0), UInt16(0), map.internalPort, map.externalPort)
            + writePortMappingAddress(map.externalAddress)
    }
}
