import NIOCore

/// The decisions of a port-mapping probe, without sockets (spec/nat.md §9.2): classifies each
/// datagram by its source port, keeps the findings, and says when to stop.
///
/// Replies from port 5351 are tried as PCP, then as NAT-PMP (both protocols share the port and a
/// server may answer the other protocol's request in its own format). Anything else counts as
/// UPnP if it mentions `:InternetGatewayDevice:` (from port 1900 or not, from the gateway or not:
/// Tailscale accepts both). The probe may stop early once all three protocols are present and
/// `settle` has passed since the first reply, which gives several UPnP devices time to answer.
struct PortMappingProbeCollector {
    enum Decision: Equatable {
        case keepReading
        case finish(at: NIODeadline)
    }

    static let maximumUPnPReplies = 10

    private(set) var upnp = false
    private(set) var natpmp = false
    private(set) var pcp = false
    private var externalAddress: PortMappingAddress?
    private var details: PortMappingDetails
    private let startedAt: NIODeadline
    private let settle: TimeAmount
    private let serverPort: Int
    private var firstReplyAt: NIODeadline?

    /// `serverPort` is where NAT-PMP and PCP replies come from: 5351, except in tests.
    init(
        gateway: PortMappingAddress, clientAddress: PortMappingAddress?, startedAt: NIODeadline, settle: TimeAmount,
        serverPort: Int = PCPMessage.serverPort
    ) {
        self.details = PortMappingDetails(gateway: gateway.description, clientAddress: clientAddress?.description)
        self.startedAt = startedAt
        self.settle = settle
        self.serverPort = serverPort
    }

    mutating func received(_ datagram: ByteBuffer, from source: SocketAddress, at now: NIODeadline) -> Decision {
        let counted: Bool
        if source.port == serverPort {
            counted = receivedFromPortMappingServer(datagram)
        } else {
            counted = receivedSSDP(datagram, from: source)
        }
        guard counted else {
            details.ignoredDatagrams += 1
            return .keepReading
        }
        let first = firstReplyAt ?? now
        firstReplyAt = first
        guard upnp && natpmp && pcp else { return .keepReading }
        return .finish(at: max(first + settle, now))
    }

    mutating func sendFailed(to target: String, error: String) {
        details.sendErrors.append("\(target): \(error)")
    }

    func result(at now: NIODeadline) -> PortMappingResult {
        var details = self.details
        details.elapsedMilliseconds = max(0, Int((now - startedAt).nanoseconds / 1_000_000))
        return PortMappingResult(upnp: upnp, natpmp: natpmp, pcp: pcp, externalAddress: externalAddress?.description, details: details)
    }

    /// A datagram from port 5351: PCP first, then NAT-PMP. Returns whether it was one of the
    /// replies we asked for.
    private mutating func receivedFromPortMappingServer(_ datagram: ByteBuffer) -> Bool {
        if let message = try? PCPMessage.decode(datagram) {
            guard case .response(let response) = message, response.opcode == .announce else { return false }
            if response.resultCode == .success { pcp = true }
            // RFC 6887 §8.3 and Tailscale: NOT_AUTHORIZED and ADDRESS_MISMATCH (a NAT between us
            // and the server) mean "no PCP for us"; keep them to explain why.
            if details.pcp?.resultCode != PCPMessage.ResultCode.success.rawValue {
                details.pcp = .init(resultCode: response.resultCode.rawValue, result: response.resultCode.description, epochTime: response.epochTime)
            }
            return true
        }
        guard case .response(let response)? = try? PMPMessage.decode(datagram),
            case .externalAddress(let address) = response.body
        else { return false }
        if response.resultCode == .success {
            natpmp = true
            if let address, externalAddress == nil { externalAddress = address }
        }
        if details.natpmp?.resultCode != PMPMessage.ResultCode.success.rawValue {
            details.natpmp = .init(
                resultCode: response.resultCode.rawValue, result: response.resultCode.description,
                secondsSinceEpoch: response.secondsSinceEpoch, externalAddress: address?.description
            )
        }
        return true
    }

    private mutating func receivedSSDP(_ datagram: ByteBuffer, from source: SocketAddress) -> Bool {
        guard SSDPMessage.mentionsInternetGatewayDevice(datagram) else { return false }
        upnp = true
        var reply = PortMappingDetails.UPnP(from: Self.text(source))
        if case .response(let response)? = try? SSDPMessage.decode(datagram) {
            reply.searchTarget = response.searchTarget
            reply.location = response.location
            reply.server = response.server
            reply.uniqueServiceName = response.uniqueServiceName
        }
        if details.upnp.count < Self.maximumUPnPReplies, !details.upnp.contains(reply) {
            details.upnp.append(reply)
        }
        return true
    }

    private static func text(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
