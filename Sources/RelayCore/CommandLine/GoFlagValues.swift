/// The result of a successful ``GoFlagParser/parse(_:)``: every flag's value, which flags the
/// command line set explicitly, and the arguments left after the flags.
package struct GoFlagValues: Sendable {
    /// Arguments after the flags (Go's `flag.Args()`): everything from the first non-flag
    /// argument on, or everything after `--`.
    package let arguments: [String]
    /// Names of the flags that appeared on the command line (Go's `flag.Visit`), even when
    /// set to their default value.
    package let explicitlySet: Set<String>
    private let values: [String: GoFlagValue]

    init(values: [String: GoFlagValue], explicitlySet: Set<String>, arguments: [String]) {
        self.values = values
        self.explicitlySet = explicitlySet
        self.arguments = arguments
    }

    /// The flag's value: the last one given on the command line, else its default.
    package subscript<Value>(flag: GoFlag<Value>) -> Value {
        values[flag.name].flatMap(flag.typedValue) ?? flag.defaultValue
    }

    /// The untyped value of the flag called `name`, or nil if no such flag is registered.
    package func value(named name: String) -> GoFlagValue? {
        values[name]
    }

    package func isSet<Value>(_ flag: GoFlag<Value>) -> Bool {
        explicitlySet.contains(flag.name)
    }

    package func isSet(_ name: String) -> Bool {
        explicitlySet.contains(name)
    }
}
