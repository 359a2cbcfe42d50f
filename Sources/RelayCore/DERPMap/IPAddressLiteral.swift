/// Strict IP address literal parsing, matching Go's `netip.ParseAddr`, which Tailscale uses on
/// a node's `IPv4` and `IPv6` fields.
///
/// - IPv4: exactly four decimal fields 0–255 with no leading zeros (`"1.2.3.4"`, not
///   `"01.2.3.4"` or `"1.2.3"`).
/// - IPv6: up to eight groups of 1–4 hex digits, at most one `::` that stands for at least one
///   zero group, an optional dotted IPv4 tail (`::ffff:1.2.3.4`) and an optional non-empty
///   `%zone`. IPv4-mapped addresses count as IPv6, as `netip.Addr.Is6` has it.
enum IPAddressLiteral {
    static func isIPv4(_ text: String) -> Bool {
        parseIPv4(Substring(text)) != nil
    }

    static func isIPv6(_ text: String) -> Bool {
        parseIPv6(text) != nil
    }

    /// The four bytes of a dotted-decimal IPv4 address.
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let fields = text.split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for field in fields {
            guard (1...3).contains(field.utf8.count),
                field.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                field == "0" || !field.hasPrefix("0"),
                let value = UInt8(field)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The sixteen bytes of an IPv6 address (a zone, if present, is checked and dropped).
    static func parseIPv6(_ text: String) -> [UInt8]? {
        var address = Substring(text)
        if let percent = address.firstIndex(of: "%") {
            guard address.index(after: percent) < address.endIndex else { return nil }
            address = address[..<percent]
        }
        guard address.contains(":") else { return nil }

        let head: [UInt16]
        let tail: [UInt16]
        let sawDoubleColon: Bool
        if let doubleColon = address.firstRange(of: "::") {
            let after = address[doubleColon.upperBound...]
            guard after.firstRange(of: "::") == nil,
                let before = groups(address[..<doubleColon.lowerBound], allowIPv4Tail: false),
                let rest = groups(after, allowIPv4Tail: true)
            else { return nil }
            head = before
            tail = rest
            sawDoubleColon = true
        } else {
            guard let all = groups(address, allowIPv4Tail: true) else { return nil }
            head = all
            tail = []
            sawDoubleColon = false
        }
        let explicitGroups = head.count + tail.count
        if sawDoubleColon {
            guard explicitGroups < 8 else { return nil }
        } else {
            guard explicitGroups == 8 else { return nil }
        }
        let expanded = head + Array(repeating: 0, count: 8 - explicitGroups) + tail
        return expanded.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// The 16-bit groups of `text` (colon-separated, no "::"); the last may be a dotted IPv4
    /// address standing for two groups.
    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, field) in fields.enumerated() {
            if allowIPv4Tail, index == fields.count - 1, field.contains(".") {
                guard let v4 = parseIPv4(field) else { return nil }
                result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                continue
            }
            guard (1...4).contains(field.utf8.count),
                field.utf8.allSatisfy({ JSONTextScanner.hexValue($0) != nil }),
                let group = UInt16(field, radix: 16)
            else { return nil }
            result.append(group)
        }
        return result
    }
}
