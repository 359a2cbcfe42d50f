import Foundation

/// Durations as netprobe reads and prints them: Go's syntax on the command line (`150ms`, `5s`,
/// `1m30s`), nanoseconds in the Tailscale-compatible JSON fields, milliseconds in our own fields,
/// and Go's `Duration.String` rounded to 0.1 ms in text, as `tailscale netcheck` prints latencies.
package enum NetcheckDuration {
    package struct ParseError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Parses Go duration syntax. Negative values are refused.
    package static func parse(_ text: String) throws(ParseError) -> Duration {
        let nanoseconds: Int64
        do {
            nanoseconds = try GoDurationSyntax.parse(text)
        } catch {
            throw ParseError(description: "\(error) (examples: 150ms, 5s, 1m30s)")
        }
        guard nanoseconds >= 0 else {
            throw ParseError(description: "duration \"\(text)\" must not be negative")
        }
        return .nanoseconds(nanoseconds)
    }

    /// Whole nanoseconds, clamped to `Int64` (Go's `time.Duration`).
    package static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.goNanoseconds
    }

    /// Milliseconds rounded to three decimals (microseconds), so JSON prints `0.412`, not
    /// `0.41200000000000003`.
    package static func milliseconds(_ duration: Duration) -> Double {
        (Double(duration.goNanoseconds) / 1000).rounded() / 1000
    }

    /// Go's `Duration.String` of the duration rounded to 0.1 ms: `9.1ms`, `123.5ms`, `1.2345s`,
    /// `400µs` below a millisecond, `0s` for zero.
    package static func text(_ duration: Duration) -> String {
        let step: Int64 = 100_000
        let value = duration.goNanoseconds
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: step)
        let rounded = (remainder * 2 >= step ? quotient + 1 : quotient).multipliedReportingOverflow(by: step)
        return GoDurationSyntax.format(nanoseconds: rounded.overflow ? value : rounded.partialValue)
    }

    /// Go's `Duration.String`, unrounded (`5s`, `300ms`, `1m0s`).
    package static func goString(_ duration: Duration) -> String {
        GoDurationSyntax.format(nanoseconds: duration.goNanoseconds)
    }
}
