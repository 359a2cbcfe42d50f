/// Tailscale's text forms for 32-byte keys: a fixed prefix, then exactly 64 hex digits.
/// Either case is accepted on input; output is always lower case.
enum KeyText {
    static let rawLength = 32

    static func parse<S: StringProtocol>(_ text: S, prefix: String) throws(KeyError) -> [UInt8] {
        guard text.hasPrefix(prefix) else {
            let shown = text.split(separator: ":", maxSplits: 1).first.map { String($0.prefix(16)) } ?? ""
            throw .wrongPrefix(expected: prefix, found: text.contains(":") ? shown + ":" : shown)
        }
        return try parseHex(text.dropFirst(prefix.count))
    }

    static func parseHex<S: StringProtocol>(_ hex: S) throws(KeyError) -> [UInt8] {
        let count = hex.utf8.count
        guard count == rawLength * 2 else { throw .wrongLength(expected: rawLength * 2, found: count) }
        guard let bytes = Hex.decode(hex) else { throw .notHex }
        return bytes
    }

    static func format(_ bytes: [UInt8], prefix: String) -> String {
        prefix + Hex.encode(bytes)
    }
}
