import RelayCore

/// An error a netprobe command reports on one line, with the exit code it warrants.
///
/// | code | meaning |
/// | --- | --- |
/// | 1 | a failure: unreadable or broken input, a check or probe that failed |
/// | 2 | a usage error: a bad option value, an unknown region, country or continent |
struct NetprobeError: Error, CustomStringConvertible {
    enum Kind {
        case usage
        case failure
    }

    let kind: Kind
    let message: String

    var description: String { message }

    var exitCode: Int32 {
        switch kind {
        case .usage: 2
        case .failure: 1
        }
    }

    static func usage(_ message: String) -> NetprobeError {
        NetprobeError(kind: .usage, message: message)
    }

    static func failure(_ message: String) -> NetprobeError {
        NetprobeError(kind: .failure, message: message)
    }

    /// Wraps a RelayCore DERP map error. Selectors, edits and nodes come from the command line,
    /// so their errors are usage errors; everything else is about the input map.
    static func from(_ error: DERPMapError, context: String? = nil) -> NetprobeError {
        let text = context.map { "\($0): \(error)" } ?? "\(error)"
        switch error.code {
        case .unknownSelector, .conflict, .invalidNode:
            return .usage(text)
        default:
            return .failure(text)
        }
    }
}
