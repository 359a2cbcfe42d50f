import NIOCore

/// A complete, small HTTP/1.1 response; derper's non-DERP answers all fit this shape.
/// Every response closes the connection, so no request body ever needs to be read.
struct HTTPResponse {
    var status: Int
    var reason: String
    var headers: [(String, String)] = []
    var body: String = ""

    static let securityHeaders: [(String, String)] = [
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'self'; block-all-mixed-content; style-src 'unsafe-inline'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
    ]

    static func text(_ status: Int, _ reason: String, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, reason: reason, headers: [("Content-Type", "text/plain; charset=utf-8")], body: body + "\n")
    }

    func write(into buffer: inout ByteBuffer, includeBody: Bool) {
        buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        if status != 204 { buffer.writeString("Content-Length: \(body.utf8.count)\r\n") }
        buffer.writeString("Connection: close\r\n\r\n")
        if includeBody { buffer.writeString(body) }
    }
}
