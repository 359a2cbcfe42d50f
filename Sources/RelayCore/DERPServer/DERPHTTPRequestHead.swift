import NIOCore

/// The head of an HTTP/1.x request as derper needs it: method, path, query and headers.
/// Header names compare case-insensitively; values keep their bytes.
package struct DERPHTTPRequestHead: Sendable, Equatable {
    package var method: String
    package var path: String
    package var query: String?
    package var version: String
    package var headers: [(name: String, value: String)]

    package init(method: String, path: String, query: String?, version: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// The first value of `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    package func hasHeader(_ name: String) -> Bool { header(name) != nil }

    package static func == (lhs: DERPHTTPRequestHead, rhs: DERPHTTPRequestHead) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.version == rhs.version
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// Errors that end an HTTP connection with a 4xx answer.
package enum HTTPHeadError: Error, Equatable {
    case headTooLarge
    case malformedRequestLine
    case malformedHeader
    case unsupportedVersion
}

/// A sans-I/O parser for one request head. It needs only the bytes up to the blank line;
/// whatever follows (a fast-start DERP ClientInfo frame, say) stays in the buffer for the next stage.
package enum HTTPHeadParser {
    /// The largest head we accept. Go's default is 1 MiB; a DERP client sends about 150 bytes.
    package static let maximumHeadLength = 16 * 1024
    package static let maximumHeaderCount = 100

    /// Returns the parsed head and advances the reader past it, or returns nil (reader untouched)
    /// when the blank line has not arrived yet. Throws when the bytes cannot be a valid head.
    package static func parse(_ buffer: inout ByteBuffer) throws(HTTPHeadError) -> DERPHTTPRequestHead? {
        let view = buffer.readableBytesView
        guard let end = endOfHead(view) else {
            if view.count > maximumHeadLength { throw .headTooLarge }
            return nil
        }
        guard end.headLength <= maximumHeadLength else { throw .headTooLarge }
        let headBytes = view.prefix(end.headLength)
        let head = try parseHead(Array(headBytes))
        buffer.moveReaderIndex(forwardBy: end.totalLength)
        return head
    }

    /// Finds the blank line. Accepts CRLFCRLF, and bare LF line ends as Go's server does.
    private static func endOfHead(_ view: ByteBufferView) -> (headLength: Int, totalLength: Int)? {
        var index = view.startIndex
        var previousLineEnd: Int? = nil
        while index < view.endIndex {
            if view[index] == UInt8(ascii: "\n") {
                let lineStart = previousLineEnd.map { $0 + 1 } ?? view.startIndex
                let lineLength = index - lineStart
                let isBlank = lineLength == 0 || (lineLength == 1 && view[lineStart] == UInt8(ascii: "\r"))
                if isBlank && previousLineEnd != nil {
                    return (lineStart - view.startIndex, index + 1 - view.startIndex)
                }
                previousLineEnd = index
            }
            index += 1
            if index - view.startIndex > maximumHeadLength + 4 { return nil }
        }
        return nil
    }

    private static func parseHead(_ bytes: [UInt8]) throws(HTTPHeadError) -> DERPHTTPRequestHead {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { throw .malformedRequestLine }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard parts.count == 3 else { throw .malformedRequestLine }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenCharacter) else { throw .malformedRequestLine }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .unsupportedVersion }
        guard target.hasPrefix("/") || method == "CONNECT" || target == "*" else { throw .malformedRequestLine }
        let path: String, query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard headers.count < maximumHeaderCount else { throw .headTooLarge }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedHeader }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { throw .malformedHeader }
            let value = line[(colon + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            var trimmed = Array(value)
            while let last = trimmed.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { trimmed.removeLast() }
            headers.append((String(decoding: name, as: UTF8.self), String(decoding: trimmed, as: UTF8.self)))
        }
        return DERPHTTPRequestHead(method: method, path: path, query: query, version: version, headers: headers)
    }

    /// RFC 9110 token characters.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
