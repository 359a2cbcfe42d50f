extension DERPMeshClient.Peer {
    /// Builds a peer from one `-mesh-with` entry, `host[:port][/dialhost]`, as the reference
    /// reads it: the port (default 443) belongs to the name and is kept when dialling `dialhost`.
    /// IPv6 literals take brackets when a port follows: `[2001:db8::1]:8443`.
    package init(meshEntry host: String, dialHost: String?) {
        var name = host
        var port = 443
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            let inside = String(name[name.index(after: name.startIndex)..<close])
            let rest = name[name.index(after: close)...]
            if rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()), (1...65535).contains(parsed) { port = parsed }
            name = inside
        } else if name.filter({ $0 == ":" }).count == 1, let colon = name.lastIndex(of: ":"),
            let parsed = Int(name[name.index(after: colon)...]), (1...65535).contains(parsed)
        {
            port = parsed
            name = String(name[..<colon])
        }
        let dial = dialHost.flatMap { $0.isEmpty || $0 == host || $0 == name ? nil : $0 }
        self.init(name: name, port: port, dialHost: dial)
    }
}
