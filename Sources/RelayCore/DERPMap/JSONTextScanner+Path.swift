/// Locating the value a `DecodingError` coding path names, so a type error can carry a line and
/// column as well as its path. Only used on text that passed ``JSONTextScanner/firstSyntaxError()``.
extension JSONTextScanner {
    enum PathComponent: Hashable {
        case key(String)
        case index(Int)

        init(_ codingKey: any CodingKey) {
            if let index = codingKey.intValue {
                self = .index(index)
            } else {
                self = .key(codingKey.stringValue)
            }
        }
    }

    /// The byte offset where the value at `path` starts, or nil if the text has no such value.
    func offset(of path: [PathComponent]) -> Int? {
        var index = skipWhitespace(from: 0)
        for component in path {
            guard index < bytes.count else { return nil }
            switch component {
            case .key(let wanted):
                guard bytes[index] == UInt8(ascii: "{") else { return nil }
                index = skipWhitespace(from: index + 1)
                while true {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                        let (key, afterKey) = decodeString(at: index)
                    else { return nil }
                    index = skipWhitespace(from: afterKey)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index = skipWhitespace(from: index + 1)
                    if key == wanted { break }
                    guard let next = nextElement(after: index) else { return nil }
                    index = next
                }
            case .index(let wanted):
                guard bytes[index] == UInt8(ascii: "[") else { return nil }
                index = skipWhitespace(from: index + 1)
                for _ in 0..<max(0, wanted) {
                    guard let next = nextElement(after: index) else { return nil }
                    index = next
                }
                guard index < bytes.count, bytes[index] != UInt8(ascii: "]") else { return nil }
            }
        }
        return index
    }

    /// Skips the value at `start` and the comma after it; nil at the end of its container.
    private func nextElement(after start: Int) -> Int? {
        guard let end = endOfValue(at: start) else { return nil }
        let index = skipWhitespace(from: end)
        guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
        return skipWhitespace(from: index + 1)
    }

    /// The offset just after the (well-formed) value starting at `start`.
    private func endOfValue(at start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            guard case .success(let end) = scanString(at: start) else { return nil }
            return end
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard case .success(let end) = scanString(at: index) else { return nil }
                    index = end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    index += 1
                    if depth == 0 { return index }
                default:
                    index += 1
                }
            }
            return nil
        default:
            // A number or a literal: runs until a delimiter.
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"),
                    UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    return index
                default:
                    index += 1
                }
            }
            return index
        }
    }

    /// Decodes the string literal at `start`, returning its value and the offset after it.
    func decodeString(at start: Int) -> (String, Int)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\""),
            case .success(let end) = scanString(at: start)
        else { return nil }
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var index = start + 1
        var pendingHighSurrogate: UInt32?
        func flushRaw() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while index < end - 1 {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                if pendingHighSurrogate != nil {
                    scalars.append("\u{FFFD}")
                    pendingHighSurrogate = nil
                }
                raw.append(byte)
                index += 1
                continue
            }
            flushRaw()
            let escape = bytes[index + 1]
            if escape == UInt8(ascii: "u") {
                var code: UInt32 = 0
                for offset in 2...5 {
                    code = code << 4 | (Self.hexValue(bytes[index + offset]) ?? 0)
                }
                index += 6
                if let high = pendingHighSurrogate, (0xDC00...0xDFFF).contains(code) {
                    let combined = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                    scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
                    pendingHighSurrogate = nil
                    continue
                }
                if pendingHighSurrogate != nil {
                    scalars.append("\u{FFFD}")
                    pendingHighSurrogate = nil
                }
                if (0xD800...0xDBFF).contains(code) {
                    pendingHighSurrogate = code
                } else {
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                }
                continue
            }
            if pendingHighSurrogate != nil {
                scalars.append("\u{FFFD}")
                pendingHighSurrogate = nil
            }
            switch escape {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            default: scalars.append(Unicode.Scalar(escape))
            }
            index += 2
        }
        if pendingHighSurrogate != nil { scalars.append("\u{FFFD}") }
        flushRaw()
        return (String(scalars), end)
    }
}
