import NIOCore

/// Several policies that must all admit a client, asked in order; the first rejection ends it,
/// so a cheap local check (the allowlist) spares the webhook a request. derper puts
/// `-allow-keys-file` before `-verify-client-url`.
package struct CombinedAdmissionPolicy: DERPAdmissionPolicy {
    package let policies: [any DERPAdmissionPolicy]

    package init(_ policies: [any DERPAdmissionPolicy]) {
        self.policies = policies
    }

    package func admit(key: NodePublicKey, sourceIP: String?, eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        var result = eventLoop.makeSucceededFuture(true)
        for policy in policies {
            result = result.flatMap { admitted in
                guard admitted else { return eventLoop.makeSucceededFuture(false) }
                return policy.admit(key: key, sourceIP: sourceIP, eventLoop: eventLoop).hop(to: eventLoop)
            }
        }
        return result
    }
}
