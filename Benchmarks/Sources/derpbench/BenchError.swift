/// Why a benchmark run stopped.
enum BenchError: Error, CustomStringConvertible {
    case crypto(String)
    case protocolViolation(String)
    case setup(String)
    case incomplete(String)

    var description: String {
        switch self {
        case .crypto(let m): "crypto: \(m)"
        case .protocolViolation(let m): "protocol: \(m)"
        case .setup(let m): "setup: \(m)"
        case .incomplete(let m): "incomplete: \(m)"
        }
    }
}
