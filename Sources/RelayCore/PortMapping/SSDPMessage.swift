import NIOCore

/// An SSDP datagram (UPnP Device Architecture 1.1 §1.3): HTTP/1.1-style text over UDP port 1900,
/// one message per datagram, CRLF line ends, headers until an empty line, no body.
///
/// We send `M-SEARCH` and read the unicast `HTTP/1.1 200 OK` replies. Exact search bytes
/// (nat.md §9.5):
/// ```
/// M-SEARCH * HTTP/1.1\r\n
/// HOST: 239.255.255.250:1900\r\n
/// ST: ssdp:all\r\n
/// MAN: "ssdp:discover"\r\n
/// MX: 2\r\n
/// \r\n
/// ```
/// Decoding accepts bare LF line ends and any header case, keeps headers in order, and throws
/// `.notHTTP` for anything that is not UTF-8 text with a known start line.
package enum SSDPMessage: Hashable, Sendable {
    case search(Search)
    case response(Response)
    /// A `NOTIFY * HTTP/1.1` announcement (devices multicast these unasked); headers only.
    case notify([Header])

    package static let port = 1900
    /// The SSDP multicast group. Only the prober's caller decides whether to send there.
    package static let multicastGroup = "239.255.255.250"
    package static let allTarget = "ssdp:all"
    package static let internetGatewayDeviceTarget = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
    /// Tailscale counts a reply as UPnP-IGD when its bytes contain this (nat.md §9.2).
    package static let internetGatewayDeviceMarker = ":InternetGatewayDevice:"
    /// Bounds on what we parse: a datagram, not a stream, but still peer input.
    static let maximumSize = 16 * 1024
    static let maximumHeaders = 64

    package struct Header: Hashable, Sendable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An `M-SEARCH` request.
    package struct Search: Hashable, Sendable {
        /// The `ST` header: `ssdp:all`, a device or service URN, `upnp:rootdevice`, or `uuid:…`.
        package var searchTarget: String
        /// The `MX` header: devices spread multicast replies over up to this many seconds.
        package var maxWaitSeconds: Int
        /// The `HOST` header; always the multicast group, even for unicast searches.
        package var host: String

        package init(searchTarget: String, maxWaitSeconds: Int = 2, host: String = "239.255.255.250:1900") {
            self.searchTarget = searchTarget
            self.maxWaitSeconds = maxWaitSeconds
            self.host = host
        }
    }

    /// A reply to a search: status line and headers.
    package struct Response: Hashable, Sendable {
        package var statusCode: Int
        package var reasonPhrase: String
        package var headers: [Header]

        package init(statusCode: Int = 200, reasonPhrase: String = "OK", headers: [Header]) {
            self.statusCode = statusCode
            self.reasonPhrase = reasonPhrase
            self.headers = headers
        }

        /// The first header of that name, compared case-insensitively.
        package subscript(header name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name.lowercased() == wanted }?.value
        }

        /// Where the device description XML is (`LOCATION`).
        package var location: String? { self[header: "location"] }
        /// The device's OS and UPnP stack (`SERVER`), e.g. `… UPnP/1.1 MiniUPnPd/2.3.1`.
        package var server: String? { self[header: "server"] }
        /// The unique service name (`USN`).
        package var uniqueServiceName: String? { self[header: "usn"] }
        /// The search target this reply answers (`ST`).
        package var searchTarget: String? { self[header: "st"] }

        package var isInternetGatewayDevice: Bool {
            [searchTarget, uniqueServiceName].contains { $0?.contains(SSDPMessage.internetGatewayDeviceMarker) == true }
        }
    }
}

extension SSDPMessage {
    /// Whether the raw datagram mentions `:InternetGatewayDevice:` anywhere, Tailscale's test for
    /// "a UPnP gateway answered" (it works even when the rest does not parse).
    package static func mentionsInternetGatewayDevice(_ datagram: ByteBuffer) -> Bool {
        let marker = Array(internetGatewayDeviceMarker.utf8)
        let bytes = datagram.readableBytesView
        guard bytes.count >= marker.count else { return false }
        var index = bytes.startIndex
        while index <= bytes.endIndex - marker.count {
            if bytes[index] == marker[0], bytes[index..<(index + marker.count)].elementsEqual(marker) { return true }
            index += 1
        }
        return false
    }

    /// Decodes one datagram.
    package static func decode(_ datagram: ByteBuffer) throws(PortMappingError) -> SSDPMessage {
        guard datagram.readableBytes <= maximumSize else { throw .badLength(.ssdp, datagram.readableBytes) }
        guard let text = String(validating: datagram.readableBytesView, as: UTF8.self) else { throw .notHTTP }
        // Split on bytes: in Swift "\r\n" is one Character, which a Character split would not see.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            Substring(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
        }[...]
        guard let startLine = lines.popFirst() else { throw .notHTTP }
        var headers: [Header] = []
        while let line = lines.popFirst(), !line.isEmpty {
            guard headers.count < maximumHeaders else { throw .malformed(.ssdp, "more than \(maximumHeaders) headers") }
            guard let colon = line.firstIndex(of: ":") else { throw .malformed(.ssdp, "header line without a colon") }
            let name = line[..<colon].trimmingSpaces()
            guard !name.isEmpty else { throw .malformed(.ssdp, "empty header name") }
            headers.append(Header(name: String(name), value: String(line[line.index(after: colon)...].trimmingSpaces())))
        }
        let words = startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if words.count >= 2, words[0].hasPrefix("HTTP/1."), let code = Int(words[1]), (100...999).contains(code) {
            let reason = words.count == 3 ? String(words[2]) : ""
            return .response(Response(statusCode: code, reasonPhrase: reason, headers: headers))
        }
        guard words.count == 3, words[1] == "*", words[2].hasPrefix("HTTP/1.") else { throw .notHTTP }
        switch words[0] {
        case "M-SEARCH":
            let response = Response(headers: headers)
            guard let target = response[header: "st"] else { throw .malformed(.ssdp, "M-SEARCH without ST") }
            let maxWait = response[header: "mx"].flatMap { Int($0) } ?? 0
            return .search(Search(searchTarget: target, maxWaitSeconds: maxWait, host: response[header: "host"] ?? ""))
        case "NOTIFY":
            return .notify(headers)
        default:
            throw .notHTTP
        }
    }

    /// The message as datagram bytes. Header values are written as given; callers must not put
    /// line breaks in them (ours are constants).
    package func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var text: String
        switch self {
        case .search(let search):
            text = "M-SEARCH * HTTP/1.1\r\nHOST: \(search.host)\r\nST: \(search.searchTarget)\r\n"
            text += "MAN: \"ssdp:discover\"\r\nMX: \(search.maxWaitSeconds)\r\n"
        case .response(let response):
            text = "HTTP/1.1 \(response.statusCode) \(response.reasonPhrase)\r\n"
            for header in response.headers { text += "\(header.name): \(header.value)\r\n" }
        case .notify(let headers):
            text = "NOTIFY * HTTP/1.1\r\n"
            for header in headers { text += "\(header.name): \(header.value)\r\n" }
        }
        text += "\r\n"
        var buffer = allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        return buffer
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
