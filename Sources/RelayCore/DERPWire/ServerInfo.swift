/// The JSON a server seals inside its ServerInfo frame (spec/derp.md §6.3;
/// tailscale/tailscale derp/derp.go `ServerInfo`).
///
/// | JSON key                    | written when |
/// | --------------------------- | ------------ |
/// | `version`                   | non-zero     |
/// | `TokenBucketBytesPerSecond` | non-zero     |
/// | `TokenBucketBytesBurst`     | non-zero     |
///
/// The reference server sends exactly `{"version":2}`.
package struct ServerInfo: Codable, Hashable, Sendable {
    /// The server's DERP protocol version; 0 when the JSON has none.
    package var version: Int
    /// Advisory send limit in bytes per second, counting whole frames (5 + 32 + packet); 0 = none.
    package var tokenBucketBytesPerSecond: Int
    /// Burst for ``tokenBucketBytesPerSecond``; 0 = unspecified.
    package var tokenBucketBytesBurst: Int

    package init(version: Int = DERPFrame.protocolVersion, tokenBucketBytesPerSecond: Int = 0, tokenBucketBytesBurst: Int = 0) {
        self.version = version
        self.tokenBucketBytesPerSecond = tokenBucketBytesPerSecond
        self.tokenBucketBytesBurst = tokenBucketBytesBurst
    }

    // MARK: - JSON bytes

    /// Parses the opened box's plaintext: keys match case-insensitively, unknown keys are ignored.
    /// Throws ``DERPWireError`` with code `invalidJSON` for anything but a well-typed JSON object.
    package init(jsonBytes: some Sequence<UInt8>) throws(DERPWireError) {
        self = try DERPJSONCoding.decode(ServerInfo.self, from: jsonBytes, what: "ServerInfo")
    }

    /// The JSON exactly as Go's `json.Marshal` writes it.
    package func jsonBytes() -> [UInt8] {
        var writer = DERPJSONWriter()
        if self.version != 0 {
            writer.field(Self.versionName, self.version)
        }
        if self.tokenBucketBytesPerSecond != 0 {
            writer.field(Self.bytesPerSecondName, self.tokenBucketBytesPerSecond)
        }
        if self.tokenBucketBytesBurst != 0 {
            writer.field(Self.burstName, self.tokenBucketBytesBurst)
        }
        return writer.finish()
    }

    // MARK: - Codable

    private static let versionName = "version"
    private static let bytesPerSecondName = "TokenBucketBytesPerSecond"
    private static let burstName = "TokenBucketBytesBurst"

    /// Decodes like Go: keys match case-insensitively, unknown keys are ignored, `null` is a no-op.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DERPJSONKey.self)
        self.init(version: 0)
        for key in container.allKeys {
            switch key.folded {
            case "VERSION":
                self.version = try container.decodeIfPresent(Int.self, forKey: key) ?? self.version
            case "TOKENBUCKETBYTESPERSECOND":
                self.tokenBucketBytesPerSecond = try container.decodeIfPresent(Int.self, forKey: key) ?? self.tokenBucketBytesPerSecond
            case "TOKENBUCKETBYTESBURST":
                self.tokenBucketBytesBurst = try container.decodeIfPresent(Int.self, forKey: key) ?? self.tokenBucketBytesBurst
            default:
                continue
            }
        }
    }

    /// Writes the same fields as ``jsonBytes()``; the key order is up to the encoder.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DERPJSONKey.self)
        if self.version != 0 {
            try container.encode(self.version, forKey: DERPJSONKey(Self.versionName))
        }
        if self.tokenBucketBytesPerSecond != 0 {
            try container.encode(self.tokenBucketBytesPerSecond, forKey: DERPJSONKey(Self.bytesPerSecondName))
        }
        if self.tokenBucketBytesBurst != 0 {
            try container.encode(self.tokenBucketBytesBurst, forKey: DERPJSONKey(Self.burstName))
        }
    }
}
