/// One DERP relay node (a server) inside a ``DERPRegion``: Tailscale's `tailcfg.DERPNode`.
///
/// JSON keys, their order and `omitempty` follow tailscale/tailscale tailcfg/derpmap.go:
///
/// | key | Go type | omitempty |
/// | --- | --- | --- |
/// | `Name` | string | no |
/// | `RegionID` | int | no |
/// | `HostName` | string | no |
/// | `CertName` | string | yes |
/// | `IPv4` | string | yes |
/// | `IPv6` | string | yes |
/// | `STUNPort` | int | yes |
/// | `STUNOnly` | bool | yes |
/// | `DERPPort` | int | yes |
/// | `InsecureForTests` | bool | yes |
/// | `STUNTestIP` | string | yes |
/// | `CanPort80` | bool | yes |
///
/// The address fields stay strings, as in Go, because they are three-way: empty means "resolve
/// `hostName`", an address literal means "use this address", anything else (conventionally
/// `"none"`) means "never use this family". ``ipv4Usage`` and ``ipv6Usage`` interpret them.
public struct DERPNode: Sendable, Hashable {
    /// Unique across the whole map; not a host name (`"1f"`, `"900a"`).
    public var name: String
    /// The containing region's ID.
    public var regionID: Int
    /// DNS name or IP literal used for TLS SNI and verification, and for DNS when `ipv4`/`ipv6`
    /// are empty. Required.
    public var hostName: String
    /// Empty, a DNS name to verify the certificate for instead of `hostName`, or
    /// `sha256-raw:<64 lower-case hex>` to pin the leaf certificate.
    public var certName: String
    public var ipv4: String
    public var ipv6: String
    /// 0 means 3478; negative (canonically -1) means no STUN on this node.
    public var stunPort: Int
    /// The node is only a STUN server and is never dialed for DERP.
    public var stunOnly: Bool
    /// 0 means 443.
    public var derpPort: Int
    /// Disables TLS verification. Meant for tests only.
    public var insecureForTests: Bool
    /// Tests only: send STUN to this IP instead of the node's address.
    public var stunTestIP: String
    /// The node answers plain HTTP on port 80 (`/generate_204`, captive-portal checks).
    public var canPort80: Bool

    public init(
        name: String,
        regionID: Int,
        hostName: String,
        certName: String = "",
        ipv4: String = "",
        ipv6: String = "",
        stunPort: Int = 0,
        stunOnly: Bool = false,
        derpPort: Int = 0,
        insecureForTests: Bool = false,
        stunTestIP: String = "",
        canPort80: Bool = false
    ) {
        self.name = name
        self.regionID = regionID
        self.hostName = hostName
        self.certName = certName
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.stunPort = stunPort
        self.stunOnly = stunOnly
        self.derpPort = derpPort
        self.insecureForTests = insecureForTests
        self.stunTestIP = stunTestIP
        self.canPort80 = canPort80
    }
}

// MARK: - Interpretation

extension DERPNode {
    /// How a node's `IPv4` or `IPv6` field tells clients to reach it over that address family.
    public enum AddressUsage: Sendable, Hashable {
        /// The field is empty: look up `hostName` in DNS (A or AAAA records).
        case resolveHostName
        /// The field holds an address literal of the right family: use it, no DNS.
        case literal(String)
        /// Anything else (conventionally `"none"`): never use this family for the node.
        case disabled
    }

    public var ipv4Usage: AddressUsage {
        if ipv4.isEmpty { return .resolveHostName }
        return IPAddressLiteral.isIPv4(ipv4) ? .literal(ipv4) : .disabled
    }

    public var ipv6Usage: AddressUsage {
        if ipv6.isEmpty { return .resolveHostName }
        return IPAddressLiteral.isIPv6(ipv6) ? .literal(ipv6) : .disabled
    }

    /// The STUN port clients use, or nil when STUN is off for this node.
    public var effectiveSTUNPort: Int? {
        if stunPort < 0 { return nil }
        return stunPort == 0 ? 3478 : stunPort
    }

    /// The DERP (TLS) port clients dial.
    public var effectiveDERPPort: Int {
        derpPort == 0 ? 443 : derpPort
    }

    /// Tailscale's `IsTestNode`: probed even when the host lacks that address family.
    public var isTestNode: Bool {
        !stunTestIP.isEmpty || ipv4 == "127.0.0.1"
    }

    /// The SHA-256 pin from a `sha256-raw:` `certName`, as 32 bytes, or nil when `certName` is
    /// not a well-formed pin.
    public var pinnedCertificateSHA256: [UInt8]? {
        DERPNode.certificatePin(in: certName)
    }

    static let certPinPrefix = "sha256-raw:"

    /// Parses `sha256-raw:` followed by exactly 64 lower-case hex digits (cmd/derper/cert.go).
    static func certificatePin(in certName: String) -> [UInt8]? {
        guard certName.hasPrefix(certPinPrefix) else { return nil }
        let hex = certName.utf8.dropFirst(certPinPrefix.utf8.count)
        let isLowerHex = hex.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard hex.count == 64, isLowerHex else { return nil }
        return Hex.decode(String(decoding: hex, as: UTF8.self))
    }
}

// MARK: - JSON

extension DERPNode: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try GoJSONObject(from: decoder)
        self.init(
            name: try object.decode(String.self, "Name") ?? "",
            regionID: try object.decodeInt("RegionID") ?? 0,
            hostName: try object.decode(String.self, "HostName") ?? "",
            certName: try object.decode(String.self, "CertName") ?? "",
            ipv4: try object.decode(String.self, "IPv4") ?? "",
            ipv6: try object.decode(String.self, "IPv6") ?? "",
            stunPort: try object.decodeInt("STUNPort") ?? 0,
            stunOnly: try object.decode(Bool.self, "STUNOnly") ?? false,
            derpPort: try object.decodeInt("DERPPort") ?? 0,
            insecureForTests: try object.decode(Bool.self, "InsecureForTests") ?? false,
            stunTestIP: try object.decode(String.self, "STUNTestIP") ?? "",
            canPort80: try object.decode(Bool.self, "CanPort80") ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        try goJSON.encode(to: encoder)
    }

    var goJSON: GoJSONValue {
        var object = GoJSONObjectBuilder()
        object.add("Name", .string(name))
        object.add("RegionID", .int(regionID))
        object.add("HostName", .string(hostName))
        object.add("CertName", omitEmpty: certName)
        object.add("IPv4", omitEmpty: ipv4)
        object.add("IPv6", omitEmpty: ipv6)
        object.add("STUNPort", omitEmpty: stunPort)
        object.add("STUNOnly", omitEmpty: stunOnly)
        object.add("DERPPort", omitEmpty: derpPort)
        object.add("InsecureForTests", omitEmpty: insecureForTests)
        object.add("STUNTestIP", omitEmpty: stunTestIP)
        object.add("CanPort80", omitEmpty: canPort80)
        return object.value
    }
}
