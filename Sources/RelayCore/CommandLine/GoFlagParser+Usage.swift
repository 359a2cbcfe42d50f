extension GoFlagParser {
    /// Go's default usage message: `Usage of <program>:` followed by ``defaultsText``.
    package var usageText: String {
        "Usage of \(programName):\n" + defaultsText
    }

    /// Go's `PrintDefaults`: every flag sorted by name, as
    /// ```
    ///   -a string
    ///     \tserver HTTP/HTTPS listen address ... (default ":443")
    /// ```
    /// One-letter boolean flags keep their usage on the same line after a tab. A back-quoted word
    /// in the usage text names the value (`` search `directory` `` shows `-I directory`); otherwise
    /// the type does. Defaults equal to the type's zero value are left out; strings are quoted.
    package var defaultsText: String {
        var text = ""
        for definition in definitions.values.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            text += Self.describe(definition) + "\n"
        }
        return text
    }

    private static func describe(_ definition: Definition) -> String {
        var line = "  -" + definition.name
        let (valueName, usage) = unquoteUsage(definition)
        if !valueName.isEmpty {
            line += " " + valueName
        }
        // "  -x" is four bytes: a one-letter boolean flag keeps its usage on the same line.
        line += line.utf8.count <= 4 ? "\t" : "\n    \t"
        line += usage.replacingNewlines(with: "\n    \t")
        let defaultValue = definition.defaultValue
        if !defaultValue.isZero {
            if case .string(let value) = defaultValue {
                line += " (default \(GoStrconv.quote(value)))"
            } else {
                line += " (default \(defaultValue.goText))"
            }
        }
        return line
    }

    /// Go's `UnquoteUsage`: the first back-quoted word names the value and loses its quotes.
    private static func unquoteUsage(_ definition: Definition) -> (valueName: String, usage: String) {
        let usage = definition.usage
        if let open = usage.firstIndex(of: "`") {
            let afterOpen = usage.index(after: open)
            if let close = usage[afterOpen...].firstIndex(of: "`") {
                let name = String(usage[afterOpen..<close])
                let unquoted = String(usage[..<open]) + name + String(usage[usage.index(after: close)...])
                return (name, unquoted)
            }
        }
        return (definition.defaultValue.typeName, usage)
    }
}

extension String {
    fileprivate func replacingNewlines(with replacement: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
