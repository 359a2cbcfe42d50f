/// What one STUN transaction of a probe run tests. Raw values are the JSON `test` field.
///
/// RFC 5780 notation (stun.md §6): the server's primary address is IP1:P1 and its OTHER-ADDRESS
/// (learnt from the reply to `mapping`) is IP2:P2.
package enum NATProbeTest: String, Hashable, Sendable, Codable, CaseIterable {
    /// Test I: a plain Binding request to a server's primary address, from the mapping socket.
    case mapping
    /// RFC 5780 §4.3 Test II: to IP2:P1, from the mapping socket.
    case mappingAlternateIP = "mapping-alternate-ip"
    /// RFC 5780 §4.3 Test III: to IP2:P2, from the mapping socket.
    case mappingAlternateAddress = "mapping-alternate-address"
    /// To IP1:P2 from the mapping socket: a same-IP, other-port pair (tells ADM from APDM on IP1
    /// too) and proof that the server answers on P2, which the port-only filtering test relies on.
    case mappingAlternatePort = "mapping-alternate-port"
    /// RFC 5780 §4.4 Test II: CHANGE-REQUEST(change IP, change port) to IP1:P1 from a fresh socket.
    case filteringChangeIPAndPort = "filtering-change-ip-port"
    /// RFC 5780 §4.4 Test III: CHANGE-REQUEST(change port) to IP1:P1 from another fresh socket.
    case filteringChangePort = "filtering-change-port"
    /// The hairpin socket's own Binding request to the first server, so that the hairpin test can
    /// check which source address the looped packet carries (RFC 4787 REQ-9a).
    case hairpinMapping = "hairpin-mapping"
    /// A Binding request from the hairpin socket to the mapping socket's public address; its
    /// "reply" is that request arriving on the mapping socket.
    case hairpin

    /// Tests sent from the mapping socket, whose replies are compared.
    package var isMappingTest: Bool {
        switch self {
        case .mapping, .mappingAlternateIP, .mappingAlternateAddress, .mappingAlternatePort: return true
        default: return false
        }
    }

    /// The CHANGE-REQUEST flags this test sends.
    package var changeRequest: STUNChangeRequest? {
        switch self {
        case .filteringChangeIPAndPort: return [.changeIP, .changePort]
        case .filteringChangePort: return .changePort
        default: return nil
        }
    }

    /// The socket role the test is sent from.
    package var socketRole: NATSocketID.Role {
        switch self {
        case .mapping, .mappingAlternateIP, .mappingAlternateAddress, .mappingAlternatePort: return .mapping
        case .filteringChangeIPAndPort: return .filteringChangeIPAndPort
        case .filteringChangePort: return .filteringChangePort
        case .hairpinMapping, .hairpin: return .hairpin
        }
    }
}
