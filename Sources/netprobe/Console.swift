import Foundation

/// Writes whole lines to standard output and standard error, unbuffered, so the two streams
/// interleave in order.
enum Console {
    /// Text (one line or several joined by newlines) and a newline, to standard output.
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Text and a newline, to standard error.
    static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Ends the process with `code`.
    static func terminate(_ code: Int32) -> Never {
        exit(code)
    }
}
