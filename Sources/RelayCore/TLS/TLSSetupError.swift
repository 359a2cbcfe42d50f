/// Errors from setting up TLS: loading or generating certificate files, parsing a `CertName`,
/// and building NIOSSL contexts and handlers. Each case says what went wrong and, where it can,
/// what the operator should do about it.
///
/// A failed peer verification during a handshake is not one of these: NIOSSL reports it as a
/// handshake error, and ``PeerCertificateCapture`` keeps our reason for it.
package enum TLSSetupError: Error, Equatable, CustomStringConvertible {
    /// `-certmode manual` with a DNS hostname and neither file present. Nothing is generated for
    /// DNS names: the operator must provide a certificate a client can verify.
    case certificateFilesMissing(hostname: String, certificatePath: String, keyPath: String)
    /// Exactly one of the two files exists. We refuse to generate over the other one.
    case certificateFileMissing(missingPath: String, presentPath: String)
    case fileUnreadable(path: String, reason: String)
    case invalidCertificateFile(path: String, reason: String)
    case invalidPrivateKeyFile(path: String, reason: String)
    case certificateNotValidForHostname(path: String, hostname: String, reason: String)
    case invalidHostname(String, reason: String)
    case notAnIPAddress(String)
    case generationFailed(reason: String)
    case fileWriteFailed(path: String, reason: String)
    case invalidCertName(String, reason: String)
    case invalidTrustRoots(path: String, reason: String)
    /// NIOSSL refused the configuration (for example a private key that does not match the certificate).
    case contextCreationFailed(reason: String)
    case handlerCreationFailed(reason: String)

    package var description: String {
        switch self {
        case .certificateFilesMissing(let hostname, let certificatePath, let keyPath):
            return "no certificate for hostname \"\(hostname)\": expected \(certificatePath) and \(keyPath) "
                + "(PEM). With -certmode manual, certificates are generated only for IP-address hostnames; "
                + "for a DNS name, put the certificate chain and its private key at those paths"
        case .certificateFileMissing(let missingPath, let presentPath):
            return "\(presentPath) exists but \(missingPath) does not; provide both files, or remove "
                + "\(presentPath) to have a self-signed certificate generated for an IP-address hostname"
        case .fileUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidCertificateFile(let path, let reason):
            return "\(path) is not a usable PEM certificate chain: \(reason)"
        case .invalidPrivateKeyFile(let path, let reason):
            return "\(path) is not a usable PEM private key: \(reason)"
        case .certificateNotValidForHostname(let path, let hostname, let reason):
            return "certificate in \(path) is not valid for hostname \"\(hostname)\": \(reason)"
        case .invalidHostname(let hostname, let reason):
            return "invalid hostname \"\(hostname)\": \(reason)"
        case .notAnIPAddress(let text):
            return "\"\(text)\" is not an IPv4 or IPv6 address literal"
        case .generationFailed(let reason):
            return "cannot generate certificate: \(reason)"
        case .fileWriteFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidCertName(let value, let reason):
            return "invalid CertName \"\(value)\": \(reason)"
        case .invalidTrustRoots(let path, let reason):
            return "cannot load trust roots from \(path): \(reason)"
        case .contextCreationFailed(let reason):
            return "TLS configuration rejected: \(reason)"
        case .handlerCreationFailed(let reason):
            return "cannot create TLS handler: \(reason)"
        }
    }
}
