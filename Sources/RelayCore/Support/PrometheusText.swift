/// Orders Prometheus text exposition by metric family name, as the reference derper's
/// expvar export is sorted, so scrapes diff cleanly. A family is its `# HELP`/`# TYPE`
/// lines plus the samples that follow; samples keep their order within a family.
package enum PrometheusText {
    package static func sortedByFamily(_ text: String) -> String {
        var families: [(name: String, lines: [Substring])] = []
        var current: (name: String, lines: [Substring])? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let name = familyName(of: line)
            if let open = current, open.name == name {
                current?.lines.append(line)
            } else {
                if let open = current { families.append(open) }
                current = (name, [line])
            }
        }
        if let open = current { families.append(open) }
        // Stable merge of families split apart in the input, then sort by name.
        var merged: [String: [Substring]] = [:]
        var order: [String] = []
        for family in families {
            if merged[family.name] == nil { order.append(family.name) }
            merged[family.name, default: []].append(contentsOf: family.lines)
        }
        return order.sorted().map { name in
            let lines = merged[name] ?? []
            let comments = lines.filter { $0.hasPrefix("#") }
            let samples = lines.filter { !$0.hasPrefix("#") }
            return (comments + samples).joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    /// `# TYPE name counter` → name; `name{a="b"} 1` → name; histogram suffixes fold into the family.
    private static func familyName(of line: Substring) -> String {
        var rest = line
        if rest.hasPrefix("# ") {
            let parts = rest.split(separator: " ", maxSplits: 3)
            return parts.count >= 3 ? String(parts[2]) : String(rest)
        }
        if let end = rest.firstIndex(where: { $0 == "{" || $0 == " " }) { rest = rest[..<end] }
        for suffix in ["_bucket", "_sum", "_count"] where rest.hasSuffix(suffix) {
            return String(rest.dropLast(suffix.count))
        }
        return String(rest)
    }
}
