/// A typed handle to one flag registered with a ``GoFlagParser``; read its value from the parse
/// result with `values[flag]`. Handles are values and can be stored next to the parser.
package struct GoFlag<Value: Sendable>: Sendable {
    package let name: String
    package let defaultValue: Value
    private let extract: @Sendable (GoFlagValue) -> Value?

    init(name: String, defaultValue: Value, extract: @escaping @Sendable (GoFlagValue) -> Value?) {
        self.name = name
        self.defaultValue = defaultValue
        self.extract = extract
    }

    /// The typed value inside `value`, or nil if `value` is of another type.
    func typedValue(_ value: GoFlagValue) -> Value? {
        extract(value)
    }
}

extension GoFlag where Value == Bool {
    init(bool name: String, defaultValue: Bool) {
        self.init(name: name, defaultValue: defaultValue) { value in
            if case .bool(let typed) = value { return typed }
            return nil
        }
    }
}

extension GoFlag where Value == String {
    init(string name: String, defaultValue: String) {
        self.init(name: name, defaultValue: defaultValue) { value in
            if case .string(let typed) = value { return typed }
            return nil
        }
    }
}

extension GoFlag where Value == Int {
    init(int name: String, defaultValue: Int) {
        self.init(name: name, defaultValue: defaultValue) { value in
            if case .int(let typed) = value { return typed }
            return nil
        }
    }
}

extension GoFlag where Value == Double {
    init(float64 name: String, defaultValue: Double) {
        self.init(name: name, defaultValue: defaultValue) { value in
            if case .float64(let typed) = value { return typed }
            return nil
        }
    }
}

extension GoFlag where Value == Duration {
    init(duration name: String, defaultValue: Duration) {
        self.init(name: name, defaultValue: defaultValue) { value in
            if case .duration(let typed) = value { return typed }
            return nil
        }
    }
}
