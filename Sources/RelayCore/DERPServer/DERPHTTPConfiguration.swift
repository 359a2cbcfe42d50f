/// What the HTTP front of derper serves besides the DERP upgrade (spec derp.md section 13).
package struct DERPHTTPConfiguration: Sendable {
    package enum HomePage: Sendable, Equatable {
        /// The default page saying what this server is.
        case standard
        /// An empty 200 page (`-home blank`).
        case blank
        /// A 302 redirect (`-home https://...`).
        case redirect(String)

        /// Parses the reference's `-home` value.
        package init(flag: String) {
            if flag.isEmpty { self = .standard } else if flag == "blank" { self = .blank } else { self = .redirect(flag) }
        }
    }

    /// The role of a listener: the main (DERP) listener, or the plain-HTTP port-80 companion
    /// that serves captive-portal checks and redirects everything else to HTTPS.
    package enum ListenerRole: Sendable, Equatable {
        case main
        case httpRedirect
        /// `-metrics-listen`: Prometheus text at `/metrics` and `/debug/varz` for any client that can
        /// reach it (the operator chose its address); nothing else.
        case metrics
    }

    package var derpEnabled = true
    package var homePage = HomePage.standard
    /// The TLS hostname, shown on the debug index.
    package var hostname = ""
    /// How long a connection may take to deliver a full HTTP request head (TLS handshake included).
    package var requestHeadTimeout: Duration = .seconds(30)
    /// Prometheus text for `/debug/varz`, supplied by the executable that owns the metrics backend.
    package var metricsText: (@Sendable () -> String)?
    /// Whether `/debug/` may be served to loopback clients at all.
    package var debugEnabled = true

    package init() {}
}
