/// One address of a local network interface (from `getifaddrs`). The classifier says "no NAT"
/// when a server reports one of these, with the socket's own port, as the mapped address.
///
/// JSON: `{"name": "eth0", "address": "192.0.2.10"}`.
package struct NATLocalInterface: Hashable, Sendable {
    package var name: String
    /// The address, with port 0.
    package var address: NATEndpoint

    package init(name: String, address: NATEndpoint) {
        self.name = name
        self.address = address.ip
    }
}

extension NATLocalInterface: Codable {
    enum CodingKeys: String, CodingKey {
        case name, address
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .address)
        guard let address = NATEndpoint(parsingIP: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .address, in: container, debugDescription: "not an IP address: \"\(text)\"")
        }
        self.init(name: try container.decode(String.self, forKey: .name), address: address)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address.ipDescription, forKey: .address)
    }
}
