import ArgumentParser
import Foundation
import RelayCore

/// Where a DERP map comes from: `--derp-map URL|FILE|-`, or the map shipped with netprobe.
enum DERPMapSource: Sendable, CustomStringConvertible {
    /// Tailscale's default map as shipped in RelayCore's resources.
    case embedded
    /// `-`: standard input.
    case standardInput
    case file(path: String)
    /// An `http://` or `https://` URL.
    case url(String)

    /// Parses the option value. `file://` URLs become paths; other schemes are refused.
    init(parsing text: String) throws {
        guard !text.isEmpty else {
            throw ValidationError("expected a file path, an http(s) URL, or - for standard input")
        }
        if text == "-" {
            self = .standardInput
            return
        }
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            self = .url(text)
        } else if lower.hasPrefix("file://") {
            guard let url = URL(string: text), url.isFileURL, !url.path.isEmpty else {
                throw ValidationError("cannot read a path from \(text)")
            }
            self = .file(path: url.path)
        } else if let colon = text.range(of: "://") {
            let scheme = text[..<colon.lowerBound]
            throw ValidationError("unsupported URL scheme \"\(scheme)\"; use http, https, file, a path, or -")
        } else {
            self = .file(path: text)
        }
    }

    var description: String {
        switch self {
        case .embedded: "the embedded default map"
        case .standardInput: "<stdin>"
        case .file(let path): path
        case .url(let url): url
        }
    }

    /// Reads and decodes the map.
    ///
    /// - Throws: ``NetprobeError`` (exit 1) naming the source: unreadable file, broken JSON with
    ///   line and column, a value of the wrong type with its JSON path.
    func load() async throws -> DERPMap {
        do {
            switch self {
            case .embedded:
                return try DERPMap.embeddedDefault()
            case .standardInput:
                return try DERPMap(jsonData: try Self.readStandardInput())
            case .file(let path):
                return try DERPMap(contentsOfFile: path)
            case .url(let url):
                do {
                    return try await DERPMapDownload.fetch(url)
                } catch let error as DERPMapDownload.Failure {
                    throw NetprobeError.failure(error.description)
                }
            }
        } catch let error as DERPMapError {
            // A file error already names the path.
            throw NetprobeError.failure(error.code == .fileUnreadable ? "\(error)" : "\(self): \(error)")
        }
    }

    private static func readStandardInput() throws -> Data {
        let limit = 16 << 20
        let data: Data
        do {
            data = try FileHandle.standardInput.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw NetprobeError.failure("<stdin>: cannot read: \(error)")
        }
        guard data.count <= limit else {
            throw NetprobeError.failure("<stdin>: larger than \(limit) bytes")
        }
        return data
    }
}

/// `--derp-map`, shared by every `derpmap` subcommand.
struct DERPMapInputOptions: ParsableArguments {
    @Option(
        name: .customLong("derp-map"),
        help: ArgumentHelp(
            "The DERP map to read: an http(s) URL, a JSON file, or - for standard input. (default: Tailscale's default map as shipped with netprobe)",
            discussion: """
                The JSON is Tailscale's DERP map format, as served at \
                https://controlplane.tailscale.com/derpmap/default. A URL is fetched with one GET \
                (HTTPS verified against the system roots, no redirects, 10 s deadline).
                """,
            valueName: "url|file|-"
        ),
        transform: DERPMapSource.init(parsing:)
    )
    var source: DERPMapSource?

    func load() async throws -> DERPMap {
        try await (source ?? .embedded).load()
    }
}
