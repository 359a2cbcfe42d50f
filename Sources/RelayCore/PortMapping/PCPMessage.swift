/// A Port Control Protocol message (RFC 6887), sent to and from the gateway's UDP port 5351.
///
/// Common request header (24 bytes) and common response header (24 bytes), RFC 6887 §7.1–7.2:
/// ```
/// request:  02 | R=0,opcode | 00 00 | requested lifetime (4) | client IP (16, IPv4-mapped)
/// response: 02 | R=1,opcode | 00 | result | lifetime (4) | epoch time (4) | reserved (12)
/// ```
/// then the opcode-specific data (none for ANNOUNCE; 36 bytes for MAP, §11.1):
/// ```
/// mapping nonce (12) | protocol (1) | 00 00 00 | internal port (2) |
/// suggested (request) or assigned (response) external port (2) | external IP (16)
/// ```
/// then options, each `code (1) | 00 | length (2) | data`, padded to 4 bytes (§7.3). Messages are
/// multiples of 4 bytes and at most 1,100 bytes; clients drop anything else (§8.3).
///
/// Decode with `PCPMessage.decode(_:)`, encode with `encoded()` (PCPMessage+Wire.swift).
package enum PCPMessage: Hashable, Sendable {
    case request(Request)
    case response(Response)

    /// The RFC 6887 server port, shared with NAT-PMP.
    package static let serverPort = 5351
    package static let version: UInt8 = 2
    package static let headerSize = 24
    package static let mapDataSize = 36
    package static let maximumSize = 1100
    /// The R bit of the second byte: set in responses.
    static let responseBit: UInt8 = 0x80

    /// A 7-bit opcode (RFC 6887 §19.2); unknown values are kept.
    package struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package let rawValue: UInt8
        /// Nil unless the value fits in 7 bits.
        package init?(rawValue: UInt8) {
            guard rawValue < 0x80 else { return nil }
            self.rawValue = rawValue
        }
        /// The low seven bits of the second header byte (the R bit is dropped).
        init(lowBitsOf byte: UInt8) { self.rawValue = byte & 0x7F }

        package static let announce = Opcode(lowBitsOf: 0)
        package static let map = Opcode(lowBitsOf: 1)
        package static let peer = Opcode(lowBitsOf: 2)

        package var description: String {
            switch rawValue {
            case 0: return "ANNOUNCE"
            case 1: return "MAP"
            case 2: return "PEER"
            default: return "opcode \(rawValue)"
            }
        }
    }

    /// RFC 6887 §7.4 result codes; unknown values are kept.
    package struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package let rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        package static let success = ResultCode(rawValue: 0)
        package static let unsupportedVersion = ResultCode(rawValue: 1)
        package static let notAuthorized = ResultCode(rawValue: 2)
        package static let malformedRequest = ResultCode(rawValue: 3)
        package static let unsupportedOpcode = ResultCode(rawValue: 4)
        package static let unsupportedOption = ResultCode(rawValue: 5)
        package static let malformedOption = ResultCode(rawValue: 6)
        package static let networkFailure = ResultCode(rawValue: 7)
        package static let noResources = ResultCode(rawValue: 8)
        package static let unsupportedProtocol = ResultCode(rawValue: 9)
        package static let userExceededQuota = ResultCode(rawValue: 10)
        package static let cannotProvideExternal = ResultCode(rawValue: 11)
        /// The client IP in the request is not the packet's source: another NAT sits between us
        /// and the PCP server.
        package static let addressMismatch = ResultCode(rawValue: 12)
        package static let excessiveRemotePeers = ResultCode(rawValue: 13)

        private static let names = [
            "SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST", "UNSUPP_OPCODE",
            "UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES", "UNSUPP_PROTOCOL",
            "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL", "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS",
        ]

        package var description: String {
            Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "result \(rawValue)"
        }
    }

    /// The 96-bit MAP nonce: random in the request, echoed in the response (RFC 6887 §11.1).
    package struct Nonce: Hashable, Sendable {
        let high: UInt64
        let low: UInt32

        package init(high: UInt64, low: UInt32) {
            self.high = high
            self.low = low
        }

        package static func random() -> Nonce {
            var generator = SystemRandomNumberGenerator()
            return Nonce(high: generator.next(), low: generator.next())
        }
    }

    /// MAP's opcode-specific data, the same 36-byte layout in both directions.
    package struct MapData: Hashable, Sendable {
        package var nonce: Nonce
        /// IANA protocol number: 17 UDP, 6 TCP, 0 all.
        package var ipProtocol: UInt8
        package var internalPort: UInt16
        /// Suggested in a request (0 = no preference), assigned in a response.
        package var externalPort: UInt16
        /// Suggested in a request (unspecified = no preference), assigned in a response.
        package var externalAddress: PortMappingAddress

        package static let udp: UInt8 = 17
        package static let tcp: UInt8 = 6

        package init(nonce: Nonce, ipProtocol: UInt8, internalPort: UInt16, externalPort: UInt16, externalAddress: PortMappingAddress) {
            self.nonce = nonce
            self.ipProtocol = ipProtocol
            self.internalPort = internalPort
            self.externalPort = externalPort
            self.externalAddress = externalAddress
        }
    }

    /// One option, kept raw (we send none; THIRD_PARTY, PREFER_FAILURE and FILTER exist).
    package struct Option: Hashable, Sendable {
        package var code: UInt8
        package var data: [UInt8]

        package init(code: UInt8, data: [UInt8]) {
            self.code = code
            self.data = data
        }
    }

    package struct Request: Hashable, Sendable {
        package var opcode: Opcode
        /// Seconds; 0 for ANNOUNCE, and 0 on MAP deletes the mapping.
        package var lifetime: UInt32
        /// Our own address as the gateway should see it; the server answers ADDRESS_MISMATCH if
        /// the packet's source differs.
        package var clientAddress: PortMappingAddress
        /// MAP only; nil for ANNOUNCE (and for opcodes we don't know, which we never send).
        package var map: MapData?
        package var options: [Option]

        package init(opcode: Opcode, lifetime: UInt32, clientAddress: PortMappingAddress, map: MapData? = nil, options: [Option] = []) {
            self.opcode = opcode
            self.lifetime = lifetime
            self.clientAddress = clientAddress
            self.map = map
            self.options = options
        }

        /// ANNOUNCE: "are you there, and what is your epoch?" (RFC 6887 §14.1).
        package static func announce(clientAddress: PortMappingAddress) -> Request {
            Request(opcode: .announce, lifetime: 0, clientAddress: clientAddress)
        }

        /// MAP for one UDP port, as Tailscale sends it.
        package static func mapUDP(
            clientAddress: PortMappingAddress,
            internalPort: UInt16,
            suggestedExternalPort: UInt16 = 0,
            lifetime: UInt32,
            nonce: Nonce = .random()
        ) -> Request {
            let data = MapData(
                nonce: nonce, ipProtocol: MapData.udp, internalPort: internalPort,
                externalPort: suggestedExternalPort, externalAddress: PortMappingAddress(ipv4: 0)
            )
            return Request(opcode: .map, lifetime: lifetime, clientAddress: clientAddress, map: data)
        }
    }

    package struct Response: Hashable, Sendable {
        package var opcode: Opcode
        package var resultCode: ResultCode
        /// Granted lifetime (success) or how long the error will last (failure), in seconds.
        package var lifetime: UInt32
        /// Seconds since the server's state began; a decrease means it lost its mappings (§8.5).
        package var epochTime: UInt32
        /// MAP only, when the server included it (error responses may not).
        package var map: MapData?
        package var options: [Option]
        /// Bytes after the header of an opcode we don't decode (PEER, unknown), left unparsed.
        package var unparsedByteCount: Int

        package init(
            opcode: Opcode, resultCode: ResultCode, lifetime: UInt32, epochTime: UInt32,
            map: MapData? = nil, options: [Option] = [], unparsedByteCount: Int = 0
        ) {
            self.opcode = opcode
            self.resultCode = resultCode
            self.lifetime = lifetime
            self.epochTime = epochTime
            self.map = map
            self.options = options
            self.unparsedByteCount = unparsedByteCount
        }
    }
}
