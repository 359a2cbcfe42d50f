import Foundation

/// Finds the data files shipped in RelayCore's resource bundle (`Resources/derpmap-default.json`,
/// `Resources/derp-regions.csv`) without trapping.
///
/// SwiftPM's generated `Bundle.module` calls `fatalError` when the bundle is missing, which
/// happens as soon as an executable is copied somewhere without its `*.resources` directory. So
/// we look for the bundle where `Bundle.module` would look first (beside the main bundle), beside
/// the executable, and beside every loaded bundle (test runners load the tests as a bundle), and
/// report a clear error when it is nowhere.
enum DERPMapResources {
    /// `<package>_<target>` as SwiftPM names the resource bundle.
    static let bundleBaseName = "relay-toolkit_RelayCore"

    static func url(forResource name: String, withExtension ext: String) throws -> URL {
        let candidates = candidateBundleURLs()
        for candidate in candidates {
            guard FileManager.default.fileExists(atPath: candidate.path),
                let bundle = Bundle(url: candidate),
                let url = bundle.url(forResource: name, withExtension: ext)
            else { continue }
            return url
        }
        let searched = candidates.map(\.path).joined(separator: ", ")
        throw DERPMapError.resourceUnavailable(
            "RelayCore resource \(name).\(ext) not found; install the \(bundleBaseName) resource bundle "
                + "next to the executable (searched: \(searched))"
        )
    }

    static func data(forResource name: String, withExtension ext: String) throws -> Data {
        let url = try url(forResource: name, withExtension: ext)
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DERPMapError.fileUnreadable(path: url.path, reason: "\(error)")
        }
    }

    private static func candidateBundleURLs() -> [URL] {
        var directories: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        var seen: Set<String> = []
        var result: [URL] = []
        for directory in directories {
            for suffix in ["resources", "bundle"] {
                let url = directory.appendingPathComponent("\(bundleBaseName).\(suffix)")
                if seen.insert(url.standardizedFileURL.path).inserted {
                    result.append(url)
                }
            }
        }
        return result
    }
}
