import NIOCore

// Tests started by a reply (spec/nat.md §7.2–7.5, stun.md §6.3–6.7).

extension NATProbeStateMachine {
    /// After a success reply to Test I: the hairpin test (first mapping of the family) and the
    /// RFC 5780 tests (a usable OTHER-ADDRESS).
    mutating func followUp(after index: Int, now: NIODeadline) -> [Action] {
        let record = transactions[index].record
        guard record.test == .mapping, let reply = record.reply, let mapped = reply.mapped else { return [] }
        var actions: [Action] = []
        let family = record.family

        if plan.hairpin, !hairpinStarted.contains(family), sockets[NATSocketID(.hairpin, family)] != nil {
            hairpinStarted.insert(family)
            actions += begin(
                .hairpin, server: "own public address", destination: mapped, primary: mapped,
                rttKey: record.destination, now: now)
        }

        guard plan.rfc5780, let other = reply.otherAddress else { return actions }
        let primary = record.serverPrimary
        guard other.family == primary.family, !other.hasSameIP(as: primary), other.port != primary.port else {
            notes.append("\(record.serverName) offered OTHER-ADDRESS \(other), which must differ from \(primary) in "
                + "both IP and port and be of the same family; its RFC 5780 tests were skipped")
            return actions
        }
        guard rfc5780Servers.insert(primary).inserted else { return actions }
        let name = record.serverName
        actions += begin(.mappingAlternateIP, server: name, destination: other.withPort(primary.port), primary: primary,
                         other: other, now: now)
        actions += begin(.mappingAlternateAddress, server: name, destination: other, primary: primary, other: other, now: now)
        actions += begin(.mappingAlternatePort, server: name, destination: primary.withPort(other.port), primary: primary,
                         other: other, now: now)
        if filteringStarted.insert(family).inserted {
            actions += begin(.filteringChangeIPAndPort, server: name, destination: primary, primary: primary, other: other,
                             now: now)
            actions += begin(.filteringChangePort, server: name, destination: primary, primary: primary, other: other,
                             now: now)
        }
        return actions
    }
}
