import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What derper's flag defaults depend on besides the command line: environment variables, whether
/// we run as root, and which files exist. Injected so that tests don't depend on the machine.
package struct DERPerEnvironment: Sendable {
    /// Environment variable that carries the mesh key in `-dev` mode (reference: `meshKeyEnvVar`).
    package static let devMeshKeyVariable = "TAILSCALE_DERPER_MESH_KEY"

    package var variables: [String: String]
    /// Whether the real user id is 0; the reference then defaults `-c` to ``rootConfigPath``.
    package var isRoot: Bool
    package var fileExists: @Sendable (String) -> Bool

    package init(
        variables: [String: String],
        isRoot: Bool,
        fileExists: @escaping @Sendable (String) -> Bool = { _ in false }
    ) {
        self.variables = variables
        self.isRoot = isRoot
        self.fileExists = fileExists
    }

    /// This process's environment.
    package static func current() -> DERPerEnvironment {
        DERPerEnvironment(
            variables: ProcessInfo.processInfo.environment,
            isRoot: getuid() == 0,
            fileExists: { FileManager.default.fileExists(atPath: $0) }
        )
    }

    /// The key file root uses when `-c` is not given (reference `loadConfig`).
    package static let rootConfigPath = "/var/lib/derper/derper.key"

    var home: String { variables["HOME"] ?? "" }

    /// Go's `os.UserCacheDir()`: `$HOME/Library/Caches` on Darwin; elsewhere `$XDG_CACHE_HOME`
    /// if set (it must be absolute) or else `$HOME/.cache`. Nil where Go returns an error.
    var userCacheDirectory: String? {
        #if canImport(Darwin)
        return home.isEmpty ? nil : home + "/Library/Caches"
        #else
        if let xdg = variables["XDG_CACHE_HOME"], !xdg.isEmpty {
            return xdg.hasPrefix("/") ? xdg : nil
        }
        return home.isEmpty ? nil : home + "/.cache"
        #endif
    }

    /// `-certdir` default (reference `tsweb.DefaultCertDir("derper-certs")`): empty without a cache directory.
    var defaultCertDirectory: String {
        userCacheDirectory.map { Self.joinPath($0, "tailscale", "derper-certs") } ?? ""
    }

    /// `-mesh-psk-file` default (reference `defaultMeshPSKFile`): the first of these files that exists, else empty.
    var defaultMeshPSKFile: String {
        let candidates = ["/home/derp/keys/derp-mesh.key", Self.joinPath(home, "keys", "derp-mesh.key")]
        return candidates.first(where: fileExists) ?? ""
    }

    /// `-secrets-cache-dir` default (reference `defaultSetecCacheDir`).
    var defaultSecretsCacheDirectory: String {
        Self.joinPath(home, ".cache", "derper-secrets")
    }

    /// `TAILSCALE_DERPER_MESH_KEY`, or nil when unset or empty.
    var devMeshKey: String? {
        guard let value = variables[Self.devMeshKeyVariable], !value.isEmpty else { return nil }
        return value
    }

    /// Go's `filepath.Join` for the simple cases we need: empty elements are skipped, repeated
    /// and trailing slashes and "." elements dropped, a leading "/" kept.
    static func joinPath(_ elements: String...) -> String {
        let joined = elements.filter { !$0.isEmpty }.joined(separator: "/")
        guard !joined.isEmpty else { return "" }
        let parts = joined.split(separator: "/").filter { $0 != "." }
        let body = parts.joined(separator: "/")
        if joined.hasPrefix("/") { return "/" + body }
        return body.isEmpty ? "." : body
    }
}
