import Foundation

/// The webhook's answer: Tailscale's `tailcfg.DERPAdmitClientResponse`, `{"Allow": true}`.
///
/// Decoded as Go's `json.Decoder` does for the reference derper: field names match
/// case-insensitively, other fields are ignored, a missing or null `Allow` means false, and an
/// `Allow` that is not a boolean is an error. Only the first JSON value counts; bytes after it
/// are never read.
package struct DERPAdmitClientResponse: Decodable, Equatable, Sendable {
    package var allow: Bool

    package init(allow: Bool) {
        self.allow = allow
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var allow = false
        for key in container.allKeys where key.stringValue.lowercased() == "allow" {
            allow = try container.decodeIfPresent(Bool.self, forKey: key) ?? false
        }
        self.allow = allow
    }

    /// Decodes the first JSON value of `body` (a body read up to the 4 KiB cap, possibly cut short).
    package static func decode(_ body: [UInt8]) throws -> DERPAdmitClientResponse {
        let end = endOfFirstObject(in: body) ?? body.count
        return try JSONDecoder().decode(DERPAdmitClientResponse.self, from: Data(body[..<end]))
    }

    /// The index just past the first top-level JSON object, if `bytes` (after optional whitespace)
    /// start with one that is complete; nil if it is cut short or the value is not an object.
    /// Only brackets outside strings count, so this finds where Go's decoder would stop reading.
    package static func endOfFirstObject(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        return nil
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
