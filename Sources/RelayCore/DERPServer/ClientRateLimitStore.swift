import CoreMetrics
import Foundation
import NIOConcurrencyHelpers

/// The per-client receive rate limit of `-rate-config FILE` (reference JSON:
/// `{"PerClientRateLimitBytesPerSec": N, "PerClientRateBurstBytes": M}`), reloadable on SIGHUP.
/// Connections read the current value per frame; a reload applies to existing connections too.
package final class ClientRateLimitStore: Sendable {
    package struct Limit: Sendable, Equatable {
        package var bytesPerSecond: Int
        package var burstBytes: Int
        package init(bytesPerSecond: Int, burstBytes: Int) {
            self.bytesPerSecond = bytesPerSecond
            // The reference raises the burst to at least one maximum-size packet with its key.
            self.burstBytes = max(burstBytes, DERPFrame.maxPacketSize + DERPFrame.keyLength)
        }
    }

    private struct FileContents: Decodable {
        var PerClientRateLimitBytesPerSec: Int?
        var PerClientRateBurstBytes: Int?
    }

    package enum LoadError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case malformed(String, String)
        package var description: String {
            switch self {
            case .unreadable(let path, let why): return "cannot read rate config \(path): \(why)"
            case .malformed(let path, let why): return "rate config \(path) is not valid: \(why)"
            }
        }
    }

    private let current: NIOLockedValueBox<(limit: Limit?, generation: Int)>
    private let path: String?
    package let waited = Counter(label: "derp_rate_limit_per_client_waited")
    private let rateGauge = Gauge(label: "derp_rate_limit_per_client_bytes_per_second")
    private let burstGauge = Gauge(label: "derp_rate_limit_per_client_burst_bytes")

    /// A fixed limit (tests) or none.
    package init(limit: Limit?) {
        self.path = nil
        self.current = NIOLockedValueBox((limit, 1))
        publish(limit)
    }

    /// Loads `path`; throws a clear error if it cannot be used.
    package init(path: String) throws {
        self.path = path
        let limit = try Self.load(path)
        self.current = NIOLockedValueBox((limit, 1))
        publish(limit)
    }

    /// The limit in force and a generation number that changes with every reload.
    package var snapshot: (limit: Limit?, generation: Int) { current.withLockedValue { $0 } }

    /// Re-reads the file; on error keeps the old limit and throws.
    package func reload() throws {
        guard let path else { return }
        let limit = try Self.load(path)
        current.withLockedValue { $0 = (limit, $0.generation + 1) }
        publish(limit)
    }

    private func publish(_ limit: Limit?) {
        rateGauge.record(limit?.bytesPerSecond ?? 0)
        burstGauge.record(limit?.burstBytes ?? 0)
    }

    static func load(_ path: String) throws -> Limit? {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LoadError.unreadable(path, error.localizedDescription)
        }
        let contents: FileContents
        do { contents = try JSONDecoder().decode(FileContents.self, from: data) } catch {
            throw LoadError.malformed(path, "expected {\"PerClientRateLimitBytesPerSec\": N, \"PerClientRateBurstBytes\": M}")
        }
        let rate = contents.PerClientRateLimitBytesPerSec ?? 0
        guard rate >= 0, (contents.PerClientRateBurstBytes ?? 0) >= 0 else { throw LoadError.malformed(path, "values must not be negative") }
        // 0 or absent disables limiting, as in the reference.
        guard rate > 0 else { return nil }
        return Limit(bytesPerSecond: rate, burstBytes: contents.PerClientRateBurstBytes ?? 0)
    }
}
