import Foundation

/// Standard output and error, unbuffered, and the terminal questions stunner asks.
enum Console {
    /// Exit status for usage errors.
    static let usageError: Int32 = 2

    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func terminate(_ code: Int32) -> Never {
        exit(code)
    }

    /// Colour only on a terminal, and never with NO_COLOR set to anything (https://no-color.org).
    static var useColor: Bool {
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"] ?? ""
        return noColor.isEmpty && isatty(STDOUT_FILENO) == 1
    }

    /// Pretty, sorted JSON with a trailing newline.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
