import Foundation

extension DERPerOptions {
    /// `-certmode`: where the TLS certificate comes from.
    package enum CertMode: String, Sendable, Equatable, CaseIterable {
        /// ACME with Let's Encrypt (the reference's default).
        case letsEncrypt = "letsencrypt"
        /// ACME with Google Public CA (needs the `-acme-eab-*` and `-acme-email` flags).
        case gcp
        /// `<certdir>/<hostname>.crt` and `.key` supplied by the operator.
        case manual
    }

    /// `-home`: what `/` serves.
    package enum HomePage: Sendable, Equatable {
        /// `""`: the built-in page.
        case builtIn
        /// `"blank"`: an empty HTML page.
        case blank
        /// An `http://` or `https://` URL: a 302 redirect there.
        case redirect(URL)
    }

    /// One `-mesh-with` entry: `host`, or `host/dialhost` to use `host` for TLS, SNI and the URL
    /// while connecting TCP to `dialhost` (keeping the port).
    package struct MeshPeer: Sendable, Equatable {
        package let host: String
        package let dialHost: String

        package init(host: String, dialHost: String? = nil) {
            self.host = host
            self.dialHost = dialHost ?? host
        }
    }

    /// One `-bootstrap-dns-names` or `-unpublished-bootstrap-dns-names` entry: `name`, or
    /// `name/txtname` where the TXT record of `txtname` holds a rollout percentage 0–100.
    package struct BootstrapDNSName: Sendable, Equatable {
        package let name: String
        package let rolloutTXTName: String?

        package init(name: String, rolloutTXTName: String? = nil) {
            self.name = name
            self.rolloutTXTName = rolloutTXTName
        }
    }

    /// A secret given on the command line or in the environment. It prints as `<redacted>`, so
    /// that logging a whole ``DERPerOptions`` value never shows it.
    package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
        package let value: String

        package init(_ value: String) {
            self.value = value
        }

        package var description: String { "<redacted>" }
        package var debugDescription: String { "<redacted>" }
    }

    /// Where the server's node private key comes from.
    package enum KeySource: Sendable, Equatable {
        /// `-dev`: a fresh key on every run, never written.
        case ephemeral
        /// The JSON key file (`{"PrivateKey": "privkey:..."}`), created if missing.
        case file(path: String)
    }

    /// Where the mesh pre-shared key comes from, in the reference's order of preference.
    package enum MeshKeySource: Sendable, Equatable {
        case none
        /// `-dev`: the value of `TAILSCALE_DERPER_MESH_KEY`, not yet validated.
        case environment(String)
        /// `-mesh-psk-file`: 64 hex digits, surrounding whitespace trimmed.
        case file(path: String)
    }
}

extension DERPerOptions.HomePage {
    /// The reference's `getHomeHandler` rules; nil for anything else.
    init?(flagValue: String) {
        switch flagValue {
        case "": self = .builtIn
        case "blank": self = .blank
        default:
            guard flagValue.hasPrefix("http://") || flagValue.hasPrefix("https://"),
                let url = URL(string: flagValue)
            else { return nil }
            self = .redirect(url)
        }
    }
}
