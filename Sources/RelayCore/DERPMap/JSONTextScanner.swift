/// Finds where JSON text goes wrong, and where a decoding path points, as line and column.
///
/// Foundation's `JSONDecoder` reports a syntax error as "The given data was not valid JSON" with
/// no position, so we check the syntax ourselves first (RFC 8259, plus a nesting limit so that
/// hostile input can't exhaust the stack of any later recursive parser). The scanner is
/// iterative and never traps.
struct JSONTextScanner {
    struct SyntaxError: Error, Equatable {
        var offset: Int
        var message: String
    }

    /// Deeper nesting than this is refused. A DERP map nests six levels.
    static let maxDepth = 128

    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// 1-based line and column (in Unicode scalars) of a byte offset.
    func position(ofOffset offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    // MARK: Syntax

    private enum Expectation {
        case value, valueOrArrayEnd, keyOrObjectEnd, key, colon, commaOrObjectEnd, commaOrArrayEnd, end
    }

    /// The first syntax error, or nil when `bytes` is one well-formed JSON value.
    func firstSyntaxError() -> SyntaxError? {
        var containers: [UInt8] = []
        var expectation = Expectation.value
        var index = 0

        func afterValue() -> Expectation {
            switch containers.last {
            case UInt8(ascii: "{"): return .commaOrObjectEnd
            case UInt8(ascii: "["): return .commaOrArrayEnd
            default: return .end
            }
        }

        while true {
            index = skipWhitespace(from: index)
            guard index < bytes.count else {
                return expectation == .end ? nil : SyntaxError(offset: index, message: "unexpected end of JSON input")
            }
            let byte = bytes[index]
            switch expectation {
            case .value, .valueOrArrayEnd:
                if expectation == .valueOrArrayEnd, byte == UInt8(ascii: "]") {
                    containers.removeLast()
                    index += 1
                    expectation = afterValue()
                    continue
                }
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard containers.count < Self.maxDepth else {
                        return SyntaxError(offset: index, message: "nesting deeper than \(Self.maxDepth) levels")
                    }
                    containers.append(byte)
                    index += 1
                    expectation = byte == UInt8(ascii: "{") ? .keyOrObjectEnd : .valueOrArrayEnd
                    continue
                case UInt8(ascii: "\""):
                    switch scanString(at: index) {
                    case .success(let end): index = end
                    case .failure(let error): return error
                    }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    switch scanNumber(at: index) {
                    case .success(let end): index = end
                    case .failure(let error): return error
                    }
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    switch scanLiteral(at: index) {
                    case .success(let end): index = end
                    case .failure(let error): return error
                    }
                default:
                    return unexpected(at: index, "looking for beginning of value")
                }
                expectation = afterValue()
            case .keyOrObjectEnd, .key:
                if expectation == .keyOrObjectEnd, byte == UInt8(ascii: "}") {
                    containers.removeLast()
                    index += 1
                    expectation = afterValue()
                    continue
                }
                guard byte == UInt8(ascii: "\"") else {
                    return unexpected(at: index, "looking for beginning of object key string")
                }
                switch scanString(at: index) {
                case .success(let end): index = end
                case .failure(let error): return error
                }
                expectation = .colon
            case .colon:
                guard byte == UInt8(ascii: ":") else { return unexpected(at: index, "after object key") }
                index += 1
                expectation = .value
            case .commaOrObjectEnd, .commaOrArrayEnd:
                let close = expectation == .commaOrObjectEnd ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if byte == UInt8(ascii: ",") {
                    index += 1
                    expectation = expectation == .commaOrObjectEnd ? .key : .value
                } else if byte == close {
                    containers.removeLast()
                    index += 1
                    expectation = afterValue()
                } else {
                    let context = expectation == .commaOrObjectEnd ? "after object key:value pair" : "after array element"
                    return unexpected(at: index, context)
                }
            case .end:
                return unexpected(at: index, "after top-level value")
            }
        }
    }

    func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return index
            }
        }
        return index
    }

    private func unexpected(at offset: Int, _ context: String) -> SyntaxError {
        SyntaxError(offset: offset, message: "invalid character \(describe(bytes[offset])) \(context)")
    }

    private func describe(_ byte: UInt8) -> String {
        if (0x21...0x7E).contains(byte) {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = Hex.encode([byte])
        return "0x\(hex)"
    }

    private func endOfInput(_ what: String) -> SyntaxError {
        SyntaxError(offset: bytes.count, message: "unexpected end of JSON input in \(what)")
    }

    /// Scans a string starting at its opening quote; returns the offset after the closing quote.
    func scanString(at start: Int) -> Result<Int, SyntaxError> {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return .success(index + 1)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return .failure(endOfInput("string literal")) }
                let escape = bytes[index + 1]
                if escape == UInt8(ascii: "u") {
                    for offset in 2...5 {
                        guard index + offset < bytes.count else { return .failure(endOfInput("string escape code")) }
                        guard Self.hexValue(bytes[index + offset]) != nil else {
                            return .failure(unexpected(at: index + offset, "in \\u hexadecimal character escape"))
                        }
                    }
                    index += 6
                } else if Array(#""\/bfnrt"#.utf8).contains(escape) {
                    index += 2
                } else {
                    return .failure(unexpected(at: index + 1, "in string escape code"))
                }
            case 0x00..<0x20:
                return .failure(unexpected(at: index, "in string literal"))
            case 0x80...0xFF:
                guard let length = validUTF8Sequence(at: index) else {
                    return .failure(SyntaxError(offset: index, message: "invalid UTF-8 in string literal"))
                }
                index += length
            default:
                index += 1
            }
        }
        return .failure(endOfInput("string literal"))
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func validUTF8Sequence(at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    private func scanNumber(at start: Int) -> Result<Int, SyntaxError> {
        var index = start
        func isDigit(_ at: Int) -> Bool {
            at < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at])
        }
        func requireDigit() -> SyntaxError? {
            guard index < bytes.count else { return endOfInput("numeric literal") }
            return isDigit(index) ? nil : unexpected(at: index, "in numeric literal")
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if let error = requireDigit() { return .failure(error) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            if let error = requireDigit() { return .failure(error) }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            if let error = requireDigit() { return .failure(error) }
            while isDigit(index) { index += 1 }
        }
        return .success(index)
    }

    private func scanLiteral(at start: Int) -> Result<Int, SyntaxError> {
        let literal: String
        switch bytes[start] {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        default: literal = "null"
        }
        for (offset, expected) in literal.utf8.enumerated() {
            let index = start + offset
            guard index < bytes.count else { return .failure(endOfInput("literal \(literal)")) }
            guard bytes[index] == expected else {
                let hint = Character(Unicode.Scalar(expected))
                return .failure(unexpected(at: index, "in literal \(literal) (expecting '\(hint)')"))
            }
        }
        return .success(start + literal.utf8.count)
    }
}
