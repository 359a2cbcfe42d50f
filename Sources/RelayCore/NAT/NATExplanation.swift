/// The prose of a NAT report: RFC 3489's legacy name and two or three plain sentences.
package enum NATExplanation {
    /// RFC 3489 names (spec/nat.md §5), which RFC 4787 §4.3 calls imprecise; kept because people
    /// search for them.
    package static func legacyName(_ verdict: NATFamilyVerdict?) -> String {
        guard let verdict else { return "Unknown" }
        if verdict.natType == .blocked { return "UDP blocked" }
        switch verdict.mapping {
        case .none:
            switch verdict.filtering {
            case .endpointIndependent: return "Open Internet"
            case .addressDependent, .addressAndPortDependent: return "Symmetric UDP firewall"
            case .unknown: return "Open Internet (firewall not measured)"
            }
        case .endpointIndependent:
            switch verdict.filtering {
            case .endpointIndependent: return "Full cone"
            case .addressDependent: return "Restricted cone"
            case .addressAndPortDependent: return "Port-restricted cone"
            case .unknown: return "Cone (filtering not measured)"
            }
        case .addressDependent, .addressAndPortDependent, .endpointDependent:
            return "Symmetric"
        case .unknown:
            return "Unknown"
        }
    }

    /// Two or three sentences for someone who does not know RFC 4787.
    package static func sentences(_ verdict: NATVerdict) -> String {
        var text: [String] = []
        guard let ipv4 = verdict.ipv4 else {
            text.append("No IPv4 STUN server was probed, so there is no IPv4 verdict.")
            if let ipv6 = verdict.ipv6 { text.append(ipv6Sentence(ipv6)) }
            return text.joined(separator: " ")
        }
        let address = ipv4.publicAddress?.description ?? "your address"
        switch ipv4.natType {
        case .none:
            text.append("This host's IPv4 address is not translated: STUN servers see \(address) directly.")
            text.append(filteringSentenceWithoutNAT(ipv4.filtering))
        case .easy:
            text.append("Your NAT keeps one public address, \(address), for every destination (endpoint-independent "
                + "mapping), so peers can reach the address STUN reports.")
            text.append(filteringSentenceForEasyNAT(ipv4.filtering))
        case .hard:
            text.append("Your NAT gives each destination a different public port (\(ipv4.mapping.rawValue) mapping), "
                + "so the address one server sees is not the one a peer would reach.")
            if verdict.portMapping?.any == true {
                text.append("The gateway offers port mapping (UPnP, NAT-PMP or PCP), which Tailscale uses to make "
                    + "direct connections possible anyway.")
            } else if ipv4.portPreservation == true {
                text.append("It keeps local port numbers, so direct connections still work with peers that have no NAT "
                    + "or an easy one; otherwise traffic goes through a DERP relay.")
            } else {
                text.append("Direct connections need a peer with no NAT or an easy NAT, or port mapping on your "
                    + "gateway; otherwise traffic goes through a DERP relay.")
            }
        case .blocked:
            text.append("No STUN server answered over UDP, so UDP to the internet appears to be blocked.")
            text.append("Tailscale would fall back to DERP relays over HTTPS, which works but is slower.")
        case .unknown:
            text.append("There is not enough evidence to classify the NAT: \(ipv4.mappingReason).")
            text.append("Add STUN servers on other IPs with --stun-server, ideally one that supports RFC 5780, and run "
                + "again.")
        }
        if let ipv6 = verdict.ipv6 { text.append(ipv6Sentence(ipv6)) }
        return text.joined(separator: " ")
    }

    private static func filteringSentenceWithoutNAT(_ filtering: NATFilteringBehavior) -> String {
        switch filtering {
        case .endpointIndependent:
            return "Unsolicited packets from anywhere reach it, so peers can always connect directly."
        case .addressDependent, .addressAndPortDependent:
            return "A stateful firewall admits only replies to traffic this host sent, which peers overcome by sending "
                + "to each other at the same time; direct connections should work."
        case .unknown:
            return "Direct connections should work; whether a firewall filters unsolicited packets was not measured."
        }
    }

    private static func filteringSentenceForEasyNAT(_ filtering: NATFilteringBehavior) -> String {
        switch filtering {
        case .endpointIndependent:
            return "It also lets in packets from anyone (endpoint-independent filtering), so direct connections work "
                + "with almost any peer."
        case .addressDependent:
            return "It lets in packets only from IPs you have sent to, which hole punching handles, so direct "
                + "connections work with almost any peer."
        case .addressAndPortDependent:
            return "It lets in packets only from exact addresses you have sent to, so both peers must send at once, as "
                + "Tailscale does; direct connections work unless the peer's NAT is hard."
        case .unknown:
            return "Filtering was not measured; direct connections usually work unless the peer's NAT is hard."
        }
    }

    private static func ipv6Sentence(_ ipv6: NATFamilyVerdict) -> String {
        switch ipv6.natType {
        case .none: return "IPv6 works without translation."
        case .easy: return "IPv6 goes through an easy (endpoint-independent) NAT."
        case .hard: return "IPv6 goes through a hard NAT whose mapping varies by destination."
        case .blocked: return "No STUN server answered over IPv6."
        case .unknown: return "IPv6 could not be classified: \(ipv6.mappingReason)."
        }
    }
}
