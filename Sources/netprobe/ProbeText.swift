/// Small formatting helpers for probe output.
enum ProbeText {
    /// `1s`, `250ms`, `1.5s`, `0.4ms`.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if milliseconds >= 1000 {
            return format(milliseconds / 1000) + "s"
        }
        return format(milliseconds) + "ms"
    }

    private static func format(_ value: Double) -> String {
        let rounded = value >= 10 ? value.rounded() : (value * 10).rounded() / 10
        if rounded == rounded.rounded(), let whole = Int(exactly: rounded) {
            return String(whole)
        }
        return String(rounded)
    }

    /// `1 region`, `2 regions`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// A value in double quotes, on one line whatever it holds.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
