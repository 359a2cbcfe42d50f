import Testing

@testable import RelayCore

/// Hand-written observations for the classifier's truth tables. Addresses are documentation
/// ranges; the host is 192.168.1.10 and its mapping socket is bound to port 40000.
enum NATFixtures {
    static let hostIP = "192.168.1.10"
    static let mappingLocal = "0.0.0.0:40000"

    /// An endpoint from text; records an issue (and returns 0.0.0.0:0) if the fixture is malformed.
    static func ep(_ text: String) -> NATEndpoint {
        guard let endpoint = NATEndpoint(parsing: text) else {
            Issue.record("malformed fixture endpoint \(text)")
            return NATEndpoint(STUNAddress(ipv4: 0, port: 0))
        }
        return endpoint
    }

    static func interfaces(_ ips: [String] = [hostIP, "127.0.0.1"]) -> [NATLocalInterface] {
        ips.enumerated().compactMap { index, ip in
            NATEndpoint(parsingIP: ip).map { NATLocalInterface(name: "if\(index)", address: $0) }
        }
    }

    /// A transaction record. `mapped` nil with no `failure` means "no reply".
    static func record(
        _ test: NATProbeTest = .mapping,
        to destination: String,
        primary: String? = nil,
        other: String? = nil,
        mapped: String? = nil,
        source: String? = nil,
        local: String? = nil,
        failure: NATTransactionFailure? = nil,
        errorCode: Int? = nil,
        otherAddressInReply: String? = nil,
        responseOrigin: String? = nil,
        name: String? = nil
    ) -> NATTransactionRecord {
        let destinationEndpoint = ep(destination)
        let socket = NATSocketID(test.socketRole, destinationEndpoint.family)
        let defaultLocal = destinationEndpoint.family == .ipv4 ? mappingLocal : "[::]:40000"
        var record = NATTransactionRecord(
            id: 0, test: test, socket: socket, serverName: name ?? (primary ?? destination),
            destination: destinationEndpoint, serverPrimary: primary.map(ep), serverOther: other.map(ep),
            local: ep(local ?? (test.socketRole == .mapping ? defaultLocal : "0.0.0.0:41000")), transmissions: 1)
        let replySource = source ?? (mapped != nil || errorCode != nil ? destination : nil)
        if let replySource {
            record.reply = NATReply(
                source: ep(replySource), mapped: mapped.map(ep), responseOrigin: responseOrigin.map(ep),
                otherAddress: otherAddressInReply.map(ep), errorCode: errorCode, errorReason: errorCode.map { _ in "Unknown Attribute" },
                rttMs: 10)
            if errorCode != nil {
                record.failure = .errorResponse
                record.error = "the server answered error"
            }
        } else {
            record.failure = failure ?? .noReply
            record.error = record.failure == .noReply ? "no reply after 3 attempts (1250 ms)" : "failed: \(record.failure?.rawValue ?? "")"
        }
        return record
    }

    static func observations(
        _ records: [NATTransactionRecord], interfaces: [NATLocalInterface] = interfaces(),
        portMapping: PortMappingEvidence? = nil, ignored: Int = 0
    ) -> NATObservations {
        var numbered = records
        for index in numbered.indices { numbered[index].id = index }
        return NATObservations(
            interfaces: interfaces, transactions: numbered, ignoredDatagrams: ignored, portMapping: portMapping)
    }

    static func classify(_ records: [NATTransactionRecord], interfaces: [NATLocalInterface] = interfaces()) -> NATVerdict {
        NATClassifier.classify(observations(records, interfaces: interfaces))
    }
}
