/// Where `-certmode manual` keeps a hostname's certificate and key, named as the reference derper
/// names them (tailscale/tailscale cmd/derper/cert.go, `unsafeHostnameCharacters`):
/// `<certdir>/<name>.crt` and `<certdir>/<name>.key`, where `<name>` is the hostname with every
/// character outside `[A-Za-z0-9.-]` removed. An IPv6 literal therefore loses its colons:
/// `2001:db8::1` → `2001db81.crt`.
package struct CertificateFileNames: Hashable, Sendable {
    package let directory: String
    package let baseName: String

    package init(directory: String, hostname: String) {
        self.directory = directory
        self.baseName = Self.baseName(forHostname: hostname)
    }

    package var certificatePath: String { join(baseName + ".crt") }
    package var keyPath: String { join(baseName + ".key") }

    /// The hostname with every byte outside `[A-Za-z0-9.-]` dropped.
    package static func baseName(forHostname hostname: String) -> String {
        String(decoding: hostname.utf8.filter(isSafe), as: UTF8.self)
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Joins like Go's `filepath.Join` for our two-part case: no doubled slash, and an empty
    /// directory means the current one.
    private func join(_ file: String) -> String {
        if directory.isEmpty { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}
