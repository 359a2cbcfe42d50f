import Foundation

extension DERPMap {
    /// The largest file we read as a DERP map; real maps are tens of kilobytes.
    static let maxFileSize = 16 << 20

    /// Decodes a DERP map from JSON, as Go's encoding/json would (see ``DERPMap``).
    ///
    /// - Throws: ``DERPMapError`` with code `invalidJSON` and a line and column when the text is
    ///   not JSON (including truncated input), or `invalidValue` with the JSON path (and, where we
    ///   can find it, line and column) when a value has the wrong type.
    public init(jsonData: Data) throws {
        self = try GoJSONDecoding.decode(DERPMap.self, from: jsonData)
    }

    /// Reads and decodes a DERP map file.
    public init(contentsOfFile path: String) throws {
        try self.init(jsonData: try GoJSONDecoding.readFile(atPath: path, limit: Self.maxFileSize))
    }

    /// Tailscale's default DERP map as shipped with RelayCore (a reconstruction of
    /// `https://controlplane.tailscale.com/derpmap/default` as of 2026-09-01; see
    /// spec/derpmap.md §5.1). Refresh from the live URL when the network allows.
    ///
    /// - Throws: ``DERPMapError`` `resourceUnavailable` when the resource bundle is not installed or
    ///   the shipped file is damaged.
    public static func embeddedDefault() throws -> DERPMap {
        let data = try DERPMapResources.data(forResource: "derpmap-default", withExtension: "json")
        do {
            return try DERPMap(jsonData: data)
        } catch let error as DERPMapError {
            throw DERPMapError.resourceUnavailable("shipped derpmap-default.json is damaged: \(error)")
        }
    }
}

extension DERPRegion {
    /// Decodes one region from JSON (Go rules, as for ``DERPMap``).
    public init(jsonData: Data) throws {
        self = try GoJSONDecoding.decode(DERPRegion.self, from: jsonData)
    }
}

extension DERPNode {
    /// Decodes one node from JSON (Go rules, as for ``DERPMap``), such as the node `derper` prints.
    public init(jsonData: Data) throws {
        self = try GoJSONDecoding.decode(DERPNode.self, from: jsonData)
    }
}

/// JSON decoding with errors that say where: our own syntax check first (line and column), then
/// Foundation's `JSONDecoder` with its errors turned into ``DERPMapError``.
enum GoJSONDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let scanner = JSONTextScanner(Array(data))
        if let syntaxError = scanner.firstSyntaxError() {
            let position = scanner.position(ofOffset: syntaxError.offset)
            throw DERPMapError.invalidJSON(syntaxError.message, line: position.line, column: position.column)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw translate(error, scanner: scanner)
        } catch {
            throw DERPMapError.invalidJSON("\(error)")
        }
    }

    static func readFile(atPath path: String, limit: Int) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw DERPMapError.fileUnreadable(path: path, reason: reason)
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else {
                throw DERPMapError.fileUnreadable(path: path, reason: "larger than \(limit) bytes")
            }
            return data
        } catch let error as DERPMapError {
            throw error
        } catch {
            throw DERPMapError.fileUnreadable(path: path, reason: "\(error)")
        }
    }

    private static func translate(_ error: DecodingError, scanner: JSONTextScanner) -> DERPMapError {
        let context: DecodingError.Context
        let message: String
        switch error {
        case .typeMismatch(_, let ctx):
            context = ctx
            message = ctx.debugDescription
        case .valueNotFound(let type, let ctx):
            context = ctx
            message = "expected \(type) but found null"
        case .keyNotFound(let key, let ctx):
            context = ctx
            message = "missing key \"\(key.stringValue)\""
        case .dataCorrupted(let ctx):
            context = ctx
            message = ctx.debugDescription
        @unknown default:
            return DERPMapError.invalidJSON("\(error)")
        }
        guard !context.codingPath.isEmpty else {
            // Foundation also reports numbers it cannot represent this way, with no position.
            if case .dataCorrupted = error {
                return DERPMapError.invalidJSON(message)
            }
            return DERPMapError.invalidValue(message, codingPath: "")
        }
        let components = context.codingPath.map(JSONTextScanner.PathComponent.init)
        let path = pathDescription(components)
        if let offset = scanner.offset(of: components) {
            let position = scanner.position(ofOffset: offset)
            return DERPMapError.invalidValue(message, codingPath: path, line: position.line, column: position.column)
        }
        return DERPMapError.invalidValue(message, codingPath: path)
    }

    /// `Regions.900.Nodes[0].RegionID`.
    static func pathDescription(_ components: [JSONTextScanner.PathComponent]) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                text += text.isEmpty ? key : ".\(key)"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}
