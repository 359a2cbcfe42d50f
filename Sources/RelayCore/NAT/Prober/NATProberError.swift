/// Why a probe run could not start. Everything that goes wrong after the start (a server that
/// does not answer, garbage, a failed send) is an observation, not an error.
package struct NATProberError: Error, Hashable, Sendable, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }

    @inline(never)
    static func noServers() -> Self {
        Self("no STUN servers to probe")
    }

    @inline(never)
    static func cannotBind(_ socket: NATSocketID, address: String, error: any Error) -> Self {
        Self("cannot open the \(socket) socket on \(address): \(error)")
    }

    @inline(never)
    static func unresolvable(_ host: String, reason: String) -> Self {
        Self("cannot resolve STUN server \"\(host)\": \(reason)")
    }
}
