// Typed accessors over a message's attribute list.

extension STUNMessage {
    /// The reflexive transport address, chosen as Tailscale's response parser does
    /// (tailscale/tailscale net/stun/stun.go `ParseResponse`): XOR-MAPPED-ADDRESS if present,
    /// else MAPPED-ADDRESS; IPv4-mapped IPv6 results are unmapped to IPv4.
    ///
    /// Among XOR-MAPPED-ADDRESS attributes the standard 0x0020 is preferred over 0x8020 (Tailscale
    /// takes whichever comes last); among several of one type, the last wins, as in Tailscale.
    package var mappedAddress: STUNAddress? {
        var standard: STUNAddress?
        var legacy: STUNAddress?
        var plain: STUNAddress?
        for attribute in attributes {
            switch attribute {
            case .xorMappedAddress(let address, false): standard = address
            case .xorMappedAddress(let address, true): legacy = address
            case .mappedAddress(let address): plain = address
            default: break
            }
        }
        return (standard ?? legacy ?? plain)?.unmapped
    }

    /// RFC 5780 OTHER-ADDRESS (0x802C), else RFC 3489 CHANGED-ADDRESS (0x0005); first occurrence.
    package var otherAddress: STUNAddress? {
        var legacy: STUNAddress?
        for case .otherAddress(let address, let isLegacy) in attributes {
            if !isLegacy { return address }
            if legacy == nil { legacy = address }
        }
        return legacy
    }

    /// RFC 5780 RESPONSE-ORIGIN (0x802B), else RFC 3489 SOURCE-ADDRESS (0x0004); first occurrence.
    package var responseOrigin: STUNAddress? {
        var legacy: STUNAddress?
        for case .responseOrigin(let address, let isLegacy) in attributes {
            if !isLegacy { return address }
            if legacy == nil { legacy = address }
        }
        return legacy
    }

    /// The first SOFTWARE value (nil if absent or not valid UTF-8).
    package var software: String? {
        for case .software(let text) in attributes { return text }
        return nil
    }

    /// The first USERNAME value.
    package var username: String? {
        for case .username(let text) in attributes { return text }
        return nil
    }

    /// The first ERROR-CODE value.
    package var errorCode: STUNErrorCode? {
        for case .errorCode(let error) in attributes { return error }
        return nil
    }

    /// The first UNKNOWN-ATTRIBUTES list.
    package var unknownAttributes: [STUNAttributeType]? {
        for case .unknownAttributes(let types) in attributes { return types }
        return nil
    }

    /// The first CHANGE-REQUEST flags.
    package var changeRequest: STUNChangeRequest? {
        for case .changeRequest(let flags) in attributes { return flags }
        return nil
    }

    /// The first RESPONSE-PORT.
    package var responsePort: UInt16? {
        for case .responsePort(let port) in attributes { return port }
        return nil
    }

    /// The first MESSAGE-INTEGRITY value (verify it against the raw bytes with
    /// `STUNMessageIntegrity.verify(message:key:)`).
    package var messageIntegrity: STUNMessageIntegrity? {
        for case .messageIntegrity(let value) in attributes { return value }
        return nil
    }

    /// The FINGERPRINT value. The decoder has already checked it and dropped anything after it.
    package var fingerprint: UInt32? {
        for case .fingerprint(let value) in attributes { return value }
        return nil
    }

    /// Whether any attribute of `type` is present.
    package func contains(_ type: STUNAttributeType) -> Bool {
        attributes.contains { $0.type == type }
    }

    /// Comprehension-required attribute types (0x0000–0x7FFF) this codec does not decode, without
    /// duplicates, in order of appearance. A server answering a request that has any should send
    /// error 420 listing them (RFC 8489 §6.3.1); the server may add known types it does not
    /// implement (e.g. CHANGE-REQUEST on a single-address server).
    package var unknownComprehensionRequired: [STUNAttributeType] {
        var seen: Set<STUNAttributeType> = []
        var result: [STUNAttributeType] = []
        for case .unknown(let type, _) in attributes where type.isComprehensionRequired {
            if seen.insert(type).inserted { result.append(type) }
        }
        return result
    }
}
