// Messages the toolkit sends: probes (stunner, netprobe) and the derper STUN server's replies.

extension STUNMessage {
    /// A generic RFC 8489 Binding request. Attributes go in this order: SOFTWARE, CHANGE-REQUEST,
    /// RESPONSE-PORT, PADDING, then FINGERPRINT (last, computed here) if `fingerprint` is true.
    ///
    /// Tailscale's servers answer only requests with SOFTWARE "tailnode" and a FINGERPRINT
    /// (spec/stun.md §2.1), and ignore CHANGE-REQUEST, RESPONSE-PORT and PADDING. RFC 5780 §7.6
    /// forbids a server to process a request with both RESPONSE-PORT and PADDING; that choice is
    /// left to the caller.
    ///
    /// - Parameter padding: number of PADDING bytes (zeros); nil or 0 for no PADDING attribute.
    /// - Throws: `.messageTooLarge` if `fingerprint` is true and the attributes do not fit a 16-bit
    ///   Message Length (without a fingerprint, the encoder reports that instead).
    package static func bindingRequest(
        transactionID: STUNTransactionID = .random(),
        software: String? = nil,
        fingerprint: Bool = true,
        changeRequest: STUNChangeRequest? = nil,
        responsePort: UInt16? = nil,
        padding: Int? = nil
    ) throws(STUNError) -> STUNMessage {
        var attributes: [STUNAttribute] = []
        if let software { attributes.append(.software(software)) }
        if let changeRequest { attributes.append(.changeRequest(changeRequest)) }
        if let responsePort { attributes.append(.responsePort(responsePort)) }
        if let padding, padding > 0 { attributes.append(.padding(count: padding)) }
        let request = STUNMessage(class: .request, transactionID: transactionID, attributes: attributes)
        return fingerprint ? try request.addingFingerprint() : request
    }

    /// A Binding success response. With only the required arguments it is exactly what Tailscale's
    /// derper sends (spec/stun.md §2.2): one XOR-MAPPED-ADDRESS (0x0020), no SOFTWARE, no
    /// FINGERPRINT; 32 bytes for IPv4 and 44 for IPv6.
    ///
    /// `mapped` is unmapped first, so an IPv4 client seen through a dual-stack socket as
    /// `::ffff:a.b.c.d` gets an IPv4-family answer (spec §2.2: "our server SHOULD answer IPv4
    /// clients with family 0x01"). The optional attributes follow in the order of the parameters.
    /// To add a FINGERPRINT, encode with `writeSTUNMessage(_:fingerprint: true)`.
    package static func bindingSuccessResponse(
        transactionID: STUNTransactionID,
        mapped: STUNAddress,
        includeMappedAddress: Bool = false,
        responseOrigin: STUNAddress? = nil,
        otherAddress: STUNAddress? = nil,
        software: String? = nil
    ) -> STUNMessage {
        let address = mapped.unmapped
        var attributes: [STUNAttribute] = [.xorMappedAddress(address)]
        if includeMappedAddress { attributes.append(.mappedAddress(address)) }
        if let responseOrigin { attributes.append(.responseOrigin(responseOrigin)) }
        if let otherAddress { attributes.append(.otherAddress(otherAddress)) }
        if let software { attributes.append(.software(software)) }
        return STUNMessage(class: .successResponse, transactionID: transactionID, attributes: attributes)
    }

    /// An error response (RFC 8489 §6.3.1.1): ERROR-CODE, then UNKNOWN-ATTRIBUTES if any are
    /// given (RFC 8489 §14.13: required with code 420), then SOFTWARE.
    package static func errorResponse(
        transactionID: STUNTransactionID,
        method: Method = .binding,
        error: STUNErrorCode,
        unknownAttributes: [STUNAttributeType] = [],
        software: String? = nil
    ) -> STUNMessage {
        var attributes: [STUNAttribute] = [.errorCode(error)]
        if !unknownAttributes.isEmpty { attributes.append(.unknownAttributes(unknownAttributes)) }
        if let software { attributes.append(.software(software)) }
        return STUNMessage(class: .errorResponse, method: method, transactionID: transactionID, attributes: attributes)
    }

    /// The 420 Unknown Attribute response to `request` if it carries comprehension-required
    /// attributes the codec does not know, or that are listed in `unsupported` (say
    /// `[.changeRequest]` on a server with one address); nil if there are none.
    package func unknownAttributeResponse(
        unsupported: Set<STUNAttributeType> = [],
        software: String? = nil
    ) -> STUNMessage? {
        var types = unknownComprehensionRequired
        for attribute in attributes where unsupported.contains(attribute.type) && !types.contains(attribute.type) {
            types.append(attribute.type)
        }
        guard !types.isEmpty else { return nil }
        return .errorResponse(
            transactionID: transactionID,
            method: method,
            error: .unknownAttribute,
            unknownAttributes: types,
            software: software
        )
    }
}
