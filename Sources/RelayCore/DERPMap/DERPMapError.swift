/// Errors from reading, writing, filtering and editing DERP maps.
///
/// A struct with an extensible ``code`` (as swift-nio-ssh's `NIOSSHError`), so new cases don't
/// break callers that switch over codes. ``description`` is one line meant for people.
public struct DERPMapError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidJSON
            case invalidValue
            case fileUnreadable
            case resourceUnavailable
            case invalidGeoData
            case unknownSelector
            case conflict
            case invalidNode
            case unsupportedValue
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The bytes are not JSON (syntax error or truncation); ``line`` and ``column`` say where.
        public static let invalidJSON = Code(.invalidJSON)
        /// JSON, but a value has the wrong type or an impossible value; ``codingPath`` says where.
        public static let invalidValue = Code(.invalidValue)
        /// A file could not be read.
        public static let fileUnreadable = Code(.fileUnreadable)
        /// A resource shipped with RelayCore (default map, region table) is missing or damaged.
        public static let resourceUnavailable = Code(.resourceUnavailable)
        /// The region geodata table is malformed.
        public static let invalidGeoData = Code(.invalidGeoData)
        /// A region ID, region code, country or continent that matches nothing.
        public static let unknownSelector = Code(.unknownSelector)
        /// An edit would clash with what the map already holds.
        public static let conflict = Code(.conflict)
        /// A node to add fails validation (no HostName, bad address, bad pin, bad port).
        public static let invalidNode = Code(.invalidNode)
        /// A value JSON cannot carry (NaN, infinity).
        public static let unsupportedValue = Code(.unsupportedValue)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// Where the problem is, 1-based, when the input is text.
    public let line: Int?
    /// 1-based, counted in Unicode scalars.
    public let column: Int?
    /// The JSON path of a bad value, like `Regions.900.Nodes[0].RegionID`.
    public let codingPath: String?
    private let message: String

    private init(code: Code, message: String, line: Int? = nil, column: Int? = nil, codingPath: String? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.codingPath = codingPath
    }

    public var description: String {
        var text = ""
        if let line, let column {
            text += "line \(line), column \(column): "
        }
        if let codingPath, !codingPath.isEmpty {
            text += "\(codingPath): "
        }
        return text + message
    }

    @inline(never)
    static func invalidJSON(_ message: String, line: Int, column: Int) -> DERPMapError {
        DERPMapError(code: .invalidJSON, message: message, line: line, column: column)
    }

    @inline(never)
    static func invalidJSON(_ message: String) -> DERPMapError {
        DERPMapError(code: .invalidJSON, message: message)
    }

    @inline(never)
    static func invalidValue(_ message: String, codingPath: String, line: Int? = nil, column: Int? = nil) -> DERPMapError {
        DERPMapError(code: .invalidValue, message: message, line: line, column: column, codingPath: codingPath)
    }

    @inline(never)
    static func fileUnreadable(path: String, reason: String) -> DERPMapError {
        DERPMapError(code: .fileUnreadable, message: "cannot read \(path): \(reason)")
    }

    @inline(never)
    static func resourceUnavailable(_ message: String) -> DERPMapError {
        DERPMapError(code: .resourceUnavailable, message: message)
    }

    @inline(never)
    static func invalidGeoData(_ message: String, line: Int? = nil) -> DERPMapError {
        DERPMapError(code: .invalidGeoData, message: message, line: line, column: line == nil ? nil : 1)
    }

    @inline(never)
    static func unknownSelector(_ what: String, valid: [String]) -> DERPMapError {
        let list = valid.isEmpty ? "none" : valid.joined(separator: ", ")
        return DERPMapError(code: .unknownSelector, message: "unknown \(what); valid: \(list)")
    }

    @inline(never)
    static func conflict(_ message: String) -> DERPMapError {
        DERPMapError(code: .conflict, message: message)
    }

    @inline(never)
    static func invalidNode(_ message: String) -> DERPMapError {
        DERPMapError(code: .invalidNode, message: message)
    }

    @inline(never)
    static func unsupportedValue(_ message: String) -> DERPMapError {
        DERPMapError(code: .unsupportedValue, message: message)
    }
}
