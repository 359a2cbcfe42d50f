/// Errors from parsing, loading and using keys. Each case carries enough to explain itself.
package enum KeyError: Error, Equatable, CustomStringConvertible {
    case wrongPrefix(expected: String, found: String)
    case wrongLength(expected: Int, found: Int)
    case notHex
    case zeroKey
    case boxOpenFailed
    case boxTooShort(Int)
    case weakPublicKey
    case fileInsecure(path: String, mode: UInt32)
    case fileUnreadable(path: String, reason: String)
    case fileMalformed(path: String, reason: String)
    case fileWriteFailed(path: String, reason: String)

    package var description: String {
        switch self {
        case .wrongPrefix(let expected, let found):
            return "key must start with \"\(expected)\", found \"\(found)\""
        case .wrongLength(let expected, let found):
            return "key must have \(expected) hex digits, found \(found)"
        case .notHex:
            return "key contains a character that is not a hex digit"
        case .zeroKey:
            return "key is all zeros, which is never a valid key"
        case .boxOpenFailed:
            return "NaCl box failed to open (wrong key or corrupted data)"
        case .boxTooShort(let count):
            return "NaCl box of \(count) bytes is shorter than nonce and tag (40 bytes)"
        case .weakPublicKey:
            return "peer public key is a low-order point; refusing to use it"
        case .fileInsecure(let path, let mode):
            return "\(path) is readable by other users (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
        case .fileUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .fileMalformed(let path, let reason):
            return "\(path) is not a valid key file: \(reason)"
        case .fileWriteFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
