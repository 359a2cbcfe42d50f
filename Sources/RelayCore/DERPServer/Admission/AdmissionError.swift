/// Errors from setting up admission control: the allowlist file and the webhook URL or TLS.
/// A webhook that fails at run time is not an error here; it is a decision (spec/derp.md §11).
package enum AdmissionError: Error, Equatable, CustomStringConvertible {
    case fileUnreadable(path: String, reason: String)
    /// A line of the allowlist is neither blank, a comment, nor `nodekey:` and 64 hex digits.
    case malformedLine(path: String, line: Int, reason: String)
    case invalidWebhookURL(String, reason: String)
    case tlsSetupFailed(reason: String)

    package var description: String {
        switch self {
        case .fileUnreadable(let path, let reason):
            return "cannot read allowlist \(path): \(reason)"
        case .malformedLine(let path, let line, let reason):
            return "allowlist \(path) line \(line): \(reason) (want nodekey: and 64 hex digits, a blank line or a # comment)"
        case .invalidWebhookURL(let url, let reason):
            return "admission webhook URL \(url): \(reason)"
        case .tlsSetupFailed(let reason):
            return "admission webhook TLS: \(reason)"
        }
    }
}
