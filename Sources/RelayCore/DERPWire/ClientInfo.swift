import Foundation

/// The JSON a client seals inside its ClientInfo frame (spec/derp.md §6.2;
/// tailscale/tailscale derp/derp_client.go `ClientInfo`).
///
/// | JSON key      | Go field    | written when          |
/// | ------------- | ----------- | --------------------- |
/// | `meshKey`     | MeshKey     | a mesh key is set     |
/// | `version`     | Version     | non-zero              |
/// | `CanAckPings` | CanAckPings | always                |
/// | `IsProber`    | IsProber    | true                  |
/// | `AppName`     | AppName     | non-empty             |
///
/// Write it with ``jsonBytes()``, which reproduces Go's bytes exactly, e.g.
/// `{"version":2,"CanAckPings":true}`. Read it with ``init(jsonBytes:)``, which matches keys
/// case-insensitively and ignores unknown ones, as Go's decoder does.
package struct ClientInfo: Codable, Equatable, Sendable {
    /// The region's mesh key; only trusted mesh peers and tools send one. An all-zero key in the
    /// JSON reads as nil, as Go treats the zero key as "no mesh key".
    package var meshKey: DERPMeshKey?
    /// The DERP protocol version the client implements; 0 when the JSON has none.
    package var version: Int
    /// Whether the client answers server Pings with Pongs.
    package var canAckPings: Bool
    /// Whether the client is a monitoring prober.
    package var isProber: Bool
    /// An opaque application name for stats; empty when absent.
    package var appName: String

    package init(
        meshKey: DERPMeshKey? = nil,
        version: Int = DERPFrame.protocolVersion,
        canAckPings: Bool = false,
        isProber: Bool = false,
        appName: String = ""
    ) {
        self.meshKey = meshKey
        self.version = version
        self.canAckPings = canAckPings
        self.isProber = isProber
        self.appName = appName
    }

    // MARK: - JSON bytes

    /// Parses the opened box's plaintext. Throws ``DERPWireError`` with code `invalidJSON` for
    /// anything that is not a JSON object with correctly typed fields, and `invalidMeshKey` for
    /// a `meshKey` that is not 64 hex digits.
    package init(jsonBytes: some Sequence<UInt8>) throws(DERPWireError) {
        self = try DERPJSONCoding.decode(ClientInfo.self, from: jsonBytes, what: "ClientInfo")
    }

    /// The JSON exactly as Tailscale's Go client writes it.
    package func jsonBytes() -> [UInt8] {
        var writer = DERPJSONWriter()
        if let meshKey, !meshKey.rawBytes.allSatisfy({ $0 == 0 }) {
            writer.field(Self.meshKeyName, meshKey.hexString)
        }
        if self.version != 0 {
            writer.field(Self.versionName, self.version)
        }
        writer.field(Self.canAckPingsName, self.canAckPings)
        if self.isProber {
            writer.field(Self.isProberName, true)
        }
        if !self.appName.isEmpty {
            writer.field(Self.appNameName, self.appName)
        }
        return writer.finish()
    }

    // MARK: - Codable

    private static let meshKeyName = "meshKey"
    private static let versionName = "version"
    private static let canAckPingsName = "CanAckPings"
    private static let isProberName = "IsProber"
    private static let appNameName = "AppName"

    /// Decodes like Go: keys match case-insensitively, unknown keys are ignored, and `null` leaves
    /// a field at its zero value (except `meshKey`, whose Go decoder rejects anything but a string).
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DERPJSONKey.self)
        self.init(meshKey: nil, version: 0)
        for key in container.allKeys {
            switch key.folded {
            case "MESHKEY":
                self.meshKey = try Self.decodeMeshKey(container, key)
            case "VERSION":
                self.version = try container.decodeIfPresent(Int.self, forKey: key) ?? self.version
            case "CANACKPINGS":
                self.canAckPings = try container.decodeIfPresent(Bool.self, forKey: key) ?? self.canAckPings
            case "ISPROBER":
                self.isProber = try container.decodeIfPresent(Bool.self, forKey: key) ?? self.isProber
            case "APPNAME":
                self.appName = try container.decodeIfPresent(String.self, forKey: key) ?? self.appName
            default:
                continue
            }
        }
    }

    /// Writes the same fields as ``jsonBytes()``; the key order is up to the encoder.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DERPJSONKey.self)
        if let meshKey, !meshKey.rawBytes.allSatisfy({ $0 == 0 }) {
            try container.encode(meshKey.hexString, forKey: DERPJSONKey(Self.meshKeyName))
        }
        if self.version != 0 {
            try container.encode(self.version, forKey: DERPJSONKey(Self.versionName))
        }
        try container.encode(self.canAckPings, forKey: DERPJSONKey(Self.canAckPingsName))
        if self.isProber {
            try container.encode(true, forKey: DERPJSONKey(Self.isProberName))
        }
        if !self.appName.isEmpty {
            try container.encode(self.appName, forKey: DERPJSONKey(Self.appNameName))
        }
    }

    /// key.DERPMesh `UnmarshalJSON`: the value must be a string of exactly 64 hex digits (either
    /// case, no whitespace); anything else, `null` included, fails the whole ClientInfo.
    private static func decodeMeshKey(
        _ container: KeyedDecodingContainer<DERPJSONKey>,
        _ key: DERPJSONKey
    ) throws -> DERPMeshKey? {
        guard let text = try? container.decode(String.self, forKey: key) else {
            throw DERPWireError.invalidMeshKey("meshKey is not a JSON string")
        }
        guard text.utf8.count == 64, let bytes = Hex.decode(text) else {
            throw DERPWireError.invalidMeshKey("meshKey must be 64 hex digits, got \(text.utf8.count) characters")
        }
        guard bytes.contains(where: { $0 != 0 }) else {
            return nil
        }
        do throws(KeyError) {
            return try DERPMeshKey(text: text)
        } catch {
            throw DERPWireError.invalidMeshKey(error.description)
        }
    }
}
