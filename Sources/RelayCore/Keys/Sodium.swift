import CSodium

/// One-time libsodium initialisation. `sodium_init` is idempotent and thread-safe;
/// a static `let` runs it exactly once per process before the first use.
enum Sodium {
    static let initialised: Bool = sodium_init() >= 0

    /// Fills `count` bytes from the operating system's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        _ = initialised
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return bytes
    }

    /// Compares two equal-length byte strings in constant time.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        _ = initialised
        return lhs.withUnsafeBytes { l in
            rhs.withUnsafeBytes { r in
                guard let lb = l.baseAddress, let rb = r.baseAddress else { return lhs.isEmpty }
                return sodium_memcmp(lb, rb, lhs.count) == 0
            }
        }
    }
}
