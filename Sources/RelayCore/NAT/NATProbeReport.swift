/// One STUN transaction as the JSON report's `probes` array prints it.
package struct NATProbeReport: Hashable, Sendable {
    /// Where the request went, `IP:PORT`.
    package var server: String
    package var serverName: String
    package var family: NATAddressFamily
    package var test: NATProbeTest
    package var socket: NATSocketID
    /// The sending socket's local address (wildcard IP, bound port).
    package var local: String?
    /// XOR-MAPPED-ADDRESS of the reply.
    package var mapped: String?
    package var rttMs: Double?
    /// Why there is no usable reply, in words.
    package var error: String?
    package var failure: NATTransactionFailure?
    /// The reply's UDP source address.
    package var source: String?
    package var responseOrigin: String?
    package var otherAddress: String?
    package var transmissions: Int
    package var startMs: Double

    package init(_ record: NATTransactionRecord) {
        server = record.destination.description
        serverName = record.serverName
        family = record.family
        test = record.test
        socket = record.socket
        local = record.local?.description
        mapped = record.reply?.mapped?.description
        rttMs = record.reply.map(\.rttMs)
        error = record.error
        failure = record.failure
        source = record.reply?.source.description
        responseOrigin = record.reply?.responseOrigin?.description
        otherAddress = record.reply?.otherAddress?.description
        transmissions = record.transmissions
        startMs = record.startMs
    }
}

extension NATProbeReport: Codable {
    enum CodingKeys: String, CodingKey {
        case server, serverName, family, test, socket, local, mapped, rttMs, error, failure
        case source, responseOrigin, otherAddress, transmissions, startMs
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decode(String.self, forKey: .server)
        serverName = try container.decodeIfPresent(String.self, forKey: .serverName) ?? server
        family = try container.decodeIfPresent(NATAddressFamily.self, forKey: .family) ?? .ipv4
        test = try container.decodeIfPresent(NATProbeTest.self, forKey: .test) ?? .mapping
        socket = try container.decodeIfPresent(NATSocketID.self, forKey: .socket) ?? NATSocketID(.mapping, family)
        local = try container.decodeIfPresent(String.self, forKey: .local)
        mapped = try container.decodeIfPresent(String.self, forKey: .mapped)
        rttMs = try container.decodeIfPresent(Double.self, forKey: .rttMs)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        failure = try container.decodeIfPresent(NATTransactionFailure.self, forKey: .failure)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        responseOrigin = try container.decodeIfPresent(String.self, forKey: .responseOrigin)
        otherAddress = try container.decodeIfPresent(String.self, forKey: .otherAddress)
        transmissions = try container.decodeIfPresent(Int.self, forKey: .transmissions) ?? 0
        startMs = try container.decodeIfPresent(Double.self, forKey: .startMs) ?? 0
    }

    /// Every key is written, absent values as null.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(server, forKey: .server)
        try container.encode(serverName, forKey: .serverName)
        try container.encode(family, forKey: .family)
        try container.encode(test, forKey: .test)
        try container.encode(socket, forKey: .socket)
        try container.encode(local, forKey: .local)
        try container.encode(mapped, forKey: .mapped)
        try container.encode(rttMs.map(NATReport.rounded), forKey: .rttMs)
        try container.encode(error, forKey: .error)
        try container.encode(failure, forKey: .failure)
        try container.encode(source, forKey: .source)
        try container.encode(responseOrigin, forKey: .responseOrigin)
        try container.encode(otherAddress, forKey: .otherAddress)
        try container.encode(transmissions, forKey: .transmissions)
        try container.encode(NATReport.rounded(startMs), forKey: .startMs)
    }
}
