import NIOCore

/// A NAT-PMP message (RFC 6886), sent to and from the gateway's UDP port 5351.
///
/// Every field is big-endian. Requests start `00 oo` (version 0, opcode); responses start
/// `00 8o rr rr ss ss ss ss` (opcode + 128, 16-bit result code, seconds since the start of the
/// gateway's epoch), then:
/// ```
/// opcode 0  external address   request: 2 bytes
///                              response: + external IPv4 (4)                     = 12 bytes
/// opcode 1  map UDP            request: 00 01 00 00 | internal port (2) |
/// opcode 2  map TCP                     suggested external port (2) | lifetime (4) = 12 bytes
///                              response: + internal port (2) | mapped external port (2) |
///                                          granted lifetime (4)                    = 16 bytes
/// ```
/// Error responses may stop after the 8-byte common part (miniupnpd answers an unknown opcode
/// with `00 87 00 05 ss ss ss ss`), so the body is only required when the result is success.
///
/// Decode with `PMPMessage.decode(_:)`, encode with `encoded()`.
package enum PMPMessage: Hashable, Sendable {
    case externalAddressRequest
    case mapRequest(MapRequest)
    case response(Response)

    /// The RFC 6886 server port, shared with PCP.
    package static let serverPort = 5351
    package static let version: UInt8 = 0
    /// RFC 6886 §3.5: a response's opcode is the request's plus 128.
    static let responseBit: UInt8 = 0x80

    /// Which mapping a map request asks for; the raw value is the opcode.
    package enum MappingProtocol: UInt8, Hashable, Sendable {
        case udp = 1
        case tcp = 2
    }

    /// Opcode 1 or 2: create, renew (same values again) or delete (lifetime 0) a mapping.
    package struct MapRequest: Hashable, Sendable {
        package var mappingProtocol: MappingProtocol
        package var internalPort: UInt16
        /// 0 means no preference; Tailscale sends the port it had before.
        package var suggestedExternalPort: UInt16
        /// Seconds; Tailscale asks for 7200. Zero deletes the mapping.
        package var lifetime: UInt32

        package init(mappingProtocol: MappingProtocol, internalPort: UInt16, suggestedExternalPort: UInt16, lifetime: UInt32) {
            self.mappingProtocol = mappingProtocol
            self.internalPort = internalPort
            self.suggestedExternalPort = suggestedExternalPort
            self.lifetime = lifetime
        }
    }

    /// RFC 6886 §3.5 result codes; unknown values are kept.
    package struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package let rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }

        package static let success = ResultCode(rawValue: 0)
        package static let unsupportedVersion = ResultCode(rawValue: 1)
        /// "Not Authorized/Refused" (e.g. the box has NAT-PMP switched off).
        package static let notAuthorized = ResultCode(rawValue: 2)
        /// "Network Failure" (e.g. the gateway has no usable external address yet).
        package static let networkFailure = ResultCode(rawValue: 3)
        package static let outOfResources = ResultCode(rawValue: 4)
        package static let unsupportedOpcode = ResultCode(rawValue: 5)

        package var description: String {
            switch rawValue {
            case 0: return "success"
            case 1: return "unsupported version"
            case 2: return "not authorized"
            case 3: return "network failure"
            case 4: return "out of resources"
            case 5: return "unsupported opcode"
            default: return "result \(rawValue)"
            }
        }
    }

    /// Any response: the common part plus the body its opcode defines, when present.
    package struct Response: Hashable, Sendable {
        /// What the gateway answered, decoded from the response opcode minus 128.
        package enum Body: Hashable, Sendable {
            /// Opcode 128. The address is nil when the gateway sent 0.0.0.0 ("unknown").
            case externalAddress(PortMappingAddress?)
            /// Opcode 129 or 130.
            case mapping(MappingProtocol, internalPort: UInt16, externalPort: UInt16, lifetime: UInt32)
            /// An error response that stopped after the common part, or an opcode we don't know
            /// (the raw request opcode is kept).
            case empty(requestOpcode: UInt8)
        }

        package var resultCode: ResultCode
        /// Seconds since the gateway's port-mapping state was (re)initialised; a value that goes
        /// down means the gateway lost its mappings (RFC 6886 §3.6).
        package var secondsSinceEpoch: UInt32
        package var body: Body

        package init(resultCode: ResultCode, secondsSinceEpoch: UInt32, body: Body) {
            self.resultCode = resultCode
            self.secondsSinceEpoch = secondsSinceEpoch
            self.body = body
        }

        /// The external address of a successful external-address response.
        package var externalAddress: PortMappingAddress? {
            guard resultCode == .success, case .externalAddress(let address) = body else { return nil }
            return address
        }
    }
}

extension PMPMessage {
    /// Decodes one datagram. Bytes after the layout of a known opcode are ignored; a truncated
    /// success, a wrong version or an unknown request opcode throws.
    package static func decode(_ datagram: ByteBuffer) throws(PortMappingError) -> PMPMessage {
        var bytes = datagram
        guard let (version, opcode) = bytes.readMultipleIntegers(as: (UInt8, UInt8).self) else {
            throw .truncated(.natPMP)
        }
        guard version == Self.version else { throw .unsupportedVersion(.natPMP, version) }
        guard opcode & Self.responseBit != 0 else { return try decodeRequest(opcode: opcode, from: &bytes) }
        guard let (rawResult, epoch) = bytes.readMultipleIntegers(as: (UInt16, UInt32).self) else {
            throw .truncated(.natPMP)
        }
        let result = ResultCode(rawValue: rawResult)
        let requestOpcode = opcode & ~Self.responseBit
        var body = Response.Body.empty(requestOpcode: requestOpcode)
        if requestOpcode == 0 {
            if let address = bytes.readInteger(as: UInt32.self) {
                body = .externalAddress(address == 0 ? nil : PortMappingAddress(ipv4: address))
            } else if result == .success {
                throw .truncated(.natPMP)
            }
        } else if let mappingProtocol = MappingProtocol(rawValue: requestOpcode) {
            if let (internalPort, externalPort, lifetime) = bytes.readMultipleIntegers(as: (UInt16, UInt16, UInt32).self) {
                body = .mapping(mappingProtocol, internalPort: internalPort, externalPort: externalPort, lifetime: lifetime)
            } else if result == .success {
                throw .truncated(.natPMP)
            }
        }
        return .response(Response(resultCode: result, secondsSinceEpoch: epoch, body: body))
    }

    private static func decodeRequest(opcode: UInt8, from bytes: inout ByteBuffer) throws(PortMappingError) -> PMPMessage {
        if opcode == 0 { return .externalAddressRequest }
        guard let mappingProtocol = MappingProtocol(rawValue: opcode) else {
            throw .malformed(.natPMP, "unknown request opcode \(opcode)")
        }
        guard let (_, internalPort, suggested, lifetime) = bytes.readMultipleIntegers(as: (UInt16, UInt16, UInt16, UInt32).self) else {
            throw .truncated(.natPMP)
        }
        return .mapRequest(MapRequest(mappingProtocol: mappingProtocol, internalPort: internalPort, suggestedExternalPort: suggested, lifetime: lifetime))
    }

    /// The message encoded into a new buffer. A response's external address must be IPv4 (NAT-PMP
    /// has no other kind); any other address is written as 0.0.0.0.
    package func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 16)
        switch self {
        case .externalAddressRequest:
            buffer.writeMultipleIntegers(Self.version, UInt8(0))
        case .mapRequest(let request):
            buffer.writeMultipleIntegers(
                Self.version, request.mappingProtocol.rawValue, UInt16(0),
                request.internalPort, request.suggestedExternalPort, request.lifetime
            )
        case .response(let response):
            let requestOpcode: UInt8
            switch response.body {
            case .externalAddress: requestOpcode = 0
            case .mapping(let mappingProtocol, _, _, _): requestOpcode = mappingProtocol.rawValue
            case .empty(let opcode): requestOpcode = opcode & ~Self.responseBit
            }
            buffer.writeMultipleIntegers(
                Self.version, requestOpcode | Self.responseBit, response.resultCode.rawValue, response.secondsSinceEpoch
            )
            switch response.body {
            case .externalAddress(let address):
                buffer.writeInteger(address?.ipv4 ?? 0)
            case .mapping(_, let internalPort, let externalPort, let lifetime):
                buffer.writeMultipleIntegers(internalPort, externalPort, lifetime)
            case .empty:
                break
            }
        }
        return buffer
    }
}
