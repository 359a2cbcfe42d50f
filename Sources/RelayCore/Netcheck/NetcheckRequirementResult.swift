/// The outcome of one CI condition, as the JSON `requirements` array and the failure lines show
/// it: `{"requirement": "udp", "ok": false, "measured": "no STUN reply from any region (UDP=false)"}`.
package struct NetcheckRequirementResult: Hashable, Sendable, Codable {
    /// A ``NetcheckRequirement`` raw value, or `max-latency`.
    package var requirement: String
    package var ok: Bool
    /// What was measured, in words.
    package var measured: String

    package init(requirement: String, ok: Bool, measured: String) {
        self.requirement = requirement
        self.ok = ok
        self.measured = measured
    }

    /// The line printed for a failure: `requirement udp failed: no STUN reply from any region (UDP=false)`.
    package var failureLine: String {
        "requirement \(requirement) failed: \(measured)"
    }
}
