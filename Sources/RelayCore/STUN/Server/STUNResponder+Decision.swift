import NIOCore

extension STUNResponder {
    /// What to do with one datagram.
    package enum Decision: Equatable, Sendable {
        /// Send nothing. The request counts as `not_stun`, as every datagram the reference
        /// server does not answer does.
        case ignore(IgnoreReason)
        /// Send `reply.bytes`.
        case reply(Reply)
    }

    /// Why a datagram got no answer.
    package enum IgnoreReason: Equatable, Sendable {
        /// From port 0, or from an unspecified, multicast or broadcast address.
        case unreplyableSource
        /// Fails the is-STUN test (spec/stun.md §4): too short, top bits set, or no magic cookie.
        case notSTUN
        /// Strict mode: not a request Tailscale's server would answer (spec/stun.md §2.1).
        case notTailscaleRequest
        /// Looks like STUN but does not decode (bad length, bad attribute, bad FINGERPRINT).
        case malformed(STUNError)
        /// A response, an indication, or a request for another method than Binding.
        case notBindingRequest
    }

    /// A message to send.
    package struct Reply: Equatable, Sendable {
        package enum Kind: Equatable, Sendable {
            /// A Binding success response.
            case success
            /// An error response with this code (400 or 420).
            case error(UInt16)
        }

        package var kind: Kind
        /// The socket to send from: the one the request arrived on unless CHANGE-REQUEST moved it.
        package var from: STUNServerSocket
        /// RESPONSE-PORT (RFC 5780 §7.5): send to the source IP at this port instead of the source
        /// port. Nil to answer the source address itself.
        package var responsePort: UInt16?
        /// The encoded message: a slice of the buffer passed to `respond`, which it shares storage
        /// with. Drop it before writing to that buffer again, or the write copies the buffer.
        package var bytes: ByteBuffer

        /// Where the reply goes for a request from `source`.
        package func destination(for source: STUNAddress) -> STUNAddress {
            var destination = source
            if let responsePort { destination.port = responsePort }
            return destination
        }
    }
}
