/// The toolkit's version, printed by every program's `--version`.
package enum ToolkitVersion {
    package static let string = "0.1.0"
    /// DERP protocol version spoken by our client and server.
    package static let derpProtocol = 2
}
