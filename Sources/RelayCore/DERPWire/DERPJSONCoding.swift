import Foundation

/// Runs `JSONDecoder` for ClientInfo and ServerInfo and maps every failure to ``DERPWireError``.
enum DERPJSONCoding {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Sequence<UInt8>, what: String) throws(DERPWireError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DERPWireError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw .invalidJSON(what, "not a JSON object")
        } catch DecodingError.valueNotFound(_, let context) where context.codingPath.isEmpty {
            throw .invalidJSON(what, "not a JSON object")
        } catch {
            throw .invalidJSON(what, String(describing: error))
        }
    }
}
