/// What a port-mapping probe found on one gateway (spec/nat.md §9.2).
///
/// The three booleans follow Tailscale's rules: UPnP when any reply mentions
/// `:InternetGatewayDevice:`; NAT-PMP when an external-address reply says success; PCP when an
/// ANNOUNCE reply says success. Other answers (NOT_AUTHORIZED, ADDRESS_MISMATCH, NETWORK_FAILURE…)
/// leave the flag false and are kept in `details`, because they still show a server is there.
package struct PortMappingResult: Hashable, Sendable, Codable {
    package var upnp: Bool
    package var natpmp: Bool
    package var pcp: Bool
    /// The gateway's external IPv4 address from a successful NAT-PMP reply.
    package var externalAddress: String?
    package var details: PortMappingDetails

    package init(upnp: Bool = false, natpmp: Bool = false, pcp: Bool = false, externalAddress: String? = nil, details: PortMappingDetails) {
        self.upnp = upnp
        self.natpmp = natpmp
        self.pcp = pcp
        self.externalAddress = externalAddress
        self.details = details
    }

    /// Whether any protocol could map a port.
    package var any: Bool { upnp || natpmp || pcp }
}

/// Everything the probe saw, for `--json` output and for explaining a negative result.
package struct PortMappingDetails: Hashable, Sendable, Codable {
    /// The last NAT-PMP external-address reply (a success is never replaced by a failure).
    package struct NATPMP: Hashable, Sendable, Codable {
        package var resultCode: UInt16
        package var result: String
        package var secondsSinceEpoch: UInt32
        package var externalAddress: String?
    }

    /// The last PCP ANNOUNCE reply (a success is never replaced by a failure).
    package struct PCP: Hashable, Sendable, Codable {
        package var resultCode: UInt8
        package var result: String
        package var epochTime: UInt32
    }

    /// One SSDP reply that mentioned an Internet Gateway Device.
    package struct UPnP: Hashable, Sendable, Codable {
        /// The reply's source, `ip:port`; usually the gateway on port 1900.
        package var from: String
        package var searchTarget: String?
        package var location: String?
        package var server: String?
        package var uniqueServiceName: String?
    }

    /// The gateway probed.
    package var gateway: String
    /// Our own address as sent in PCP requests, when known.
    package var clientAddress: String?
    package var natpmp: NATPMP?
    package var pcp: PCP?
    /// At most `PortMappingProbeCollector.maximumUPnPReplies`, in arrival order, without duplicates.
    package var upnp: [UPnP]
    /// Datagrams that were none of the above (other SSDP replies, unparsable bytes).
    package var ignoredDatagrams: Int
    /// Requests the kernel refused to send ("target: error").
    package var sendErrors: [String]
    /// How long the probe listened, in milliseconds.
    package var elapsedMilliseconds: Int

    package init(
        gateway: String, clientAddress: String? = nil, natpmp: NATPMP? = nil, pcp: PCP? = nil, upnp: [UPnP] = [],
        ignoredDatagrams: Int = 0, sendErrors: [String] = [], elapsedMilliseconds: Int = 0
    ) {
        self.gateway = gateway
        self.clientAddress = clientAddress
        self.natpmp = natpmp
        self.pcp = pcp
        self.upnp = upnp
        self.ignoredDatagrams = ignoredDatagrams
        self.sendErrors = sendErrors
        self.elapsedMilliseconds = elapsedMilliseconds
    }
}

extension PortMappingResult {
    /// The part the NAT report carries.
    package var evidence: PortMappingEvidence {
        PortMappingEvidence(upnp: upnp, natpmp: natpmp, pcp: pcp, externalAddress: externalAddress)
    }
}
