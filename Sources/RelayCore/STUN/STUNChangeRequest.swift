/// The value of CHANGE-REQUEST (RFC 5780 §7.2, from RFC 3489 §11.2.4): 32 flag bits, of which two
/// are defined. Other bits are kept as received.
///
/// ```
/// 0                   1                   2                   3
/// 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 A B 0|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
package struct STUNChangeRequest: OptionSet, Hashable, Sendable {
    package var rawValue: UInt32

    package init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Flag A: answer from the server's alternate IP address.
    package static let changeIP = Self(rawValue: 0x0000_0004)
    /// Flag B: answer from the server's alternate port.
    package static let changePort = Self(rawValue: 0x0000_0002)
}
