/// One STUN transaction of a probe run, recorded as plain data: what was sent, from where, to
/// where, and what came back. The classifier is a pure function of a list of these.
package struct NATTransactionRecord: Hashable, Sendable, Codable {
    /// Position in the run, from 0.
    package var id: Int
    package var test: NATProbeTest
    package var socket: NATSocketID
    /// The server's display name (`"127.0.0.1:3478"`, `"1a (nyc)"`).
    package var serverName: String
    /// Where the request went.
    package var destination: NATEndpoint
    /// The server's primary address (equal to `destination` for `mapping`).
    package var serverPrimary: NATEndpoint
    /// The server's OTHER-ADDRESS as its primary address reported it, for RFC 5780 tests.
    package var serverOther: NATEndpoint?
    /// The local address of the sending socket (wildcard IP and the bound port).
    package var local: NATEndpoint?
    /// How many times the request was sent (each time with a fresh transaction ID).
    package var transmissions: Int
    /// When the first transmission left, in milliseconds since the run started.
    package var startMs: Double
    /// The first usable reply, if any.
    package var reply: NATReply?
    /// Why there is no usable reply, as a category; nil when a success reply arrived.
    package var failure: NATTransactionFailure?
    /// The same in words, for people (`"no reply after 3 attempts (750 ms)"`).
    package var error: String?

    package init(
        id: Int, test: NATProbeTest, socket: NATSocketID, serverName: String, destination: NATEndpoint,
        serverPrimary: NATEndpoint? = nil, serverOther: NATEndpoint? = nil, local: NATEndpoint? = nil,
        transmissions: Int = 0, startMs: Double = 0, reply: NATReply? = nil,
        failure: NATTransactionFailure? = nil, error: String? = nil
    ) {
        self.id = id
        self.test = test
        self.socket = socket
        self.serverName = serverName
        self.destination = destination
        self.serverPrimary = serverPrimary ?? destination
        self.serverOther = serverOther
        self.local = local
        self.transmissions = transmissions
        self.startMs = startMs
        self.reply = reply
        self.failure = failure
        self.error = error
    }

    package var family: NATAddressFamily { socket.family }

    /// The mapped address of a success reply.
    package var mapped: NATEndpoint? { reply?.mapped }
}
