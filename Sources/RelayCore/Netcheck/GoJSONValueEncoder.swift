/// An `Encoder` that builds a ``GoJSONValue`` and keeps object members in the order they were
/// encoded, so a `Codable` type's `encode(to:)` decides the key order of its JSON. Foundation's
/// `JSONEncoder` on Linux orders keys by hash; with this and ``GoJSONWriter`` the report prints
/// like Go's `json.MarshalIndent(report, "", "\t")`, field order included.
///
/// Supports what our reports use: strings, booleans, integers, floating point, null, nested
/// objects and arrays. A repeated key replaces the earlier value in place, as `JSONEncoder` does.
enum GoJSONValueEncoder {
    static func encode(_ value: some Encodable) throws -> GoJSONValue {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.value
    }

    /// A value under construction; containers hold their children by reference so nested
    /// containers can fill them after they are attached.
    fileprivate final class Node {
        enum Content {
            case empty
            case scalar(GoJSONValue)
            case object([(key: String, node: Node)])
            case array([Node])
        }

        var content = Content.empty

        var value: GoJSONValue {
            switch content {
            case .empty: return .object([])
            case .scalar(let value): return value
            case .object(let members): return .object(members.map { GoJSONValue.Member(key: $0.key, value: $0.node.value) })
            case .array(let elements): return .array(elements.map(\.value))
            }
        }

        func child(forKey key: String) -> Node {
            let child = Node()
            var members: [(key: String, node: Node)] = []
            if case .object(let existing) = content { members = existing }
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].node = child
            } else {
                members.append((key, child))
            }
            content = .object(members)
            return child
        }

        func appendChild() -> Node {
            let child = Node()
            var elements: [Node] = []
            if case .array(let existing) = content { elements = existing }
            elements.append(child)
            content = .array(elements)
            return child
        }

        func becomeObject() {
            if case .object = content { return }
            content = .object([])
        }

        func becomeArray() {
            if case .array = content { return }
            content = .array([])
        }

        var count: Int {
            if case .array(let elements) = content { return elements.count }
            return 0
        }
    }

    fileprivate struct NodeEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.becomeObject()
            return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.becomeArray()
            return UnkeyedContainer(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleContainer(node: node, codingPath: codingPath)
        }
    }

    fileprivate struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws {
            node.child(forKey: key.stringValue).content = .scalar(.null)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try value.encode(to: NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
        }
    }

    fileprivate struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        var count: Int { node.count }

        mutating func encodeNil() throws {
            node.appendChild().content = .scalar(.null)
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: NodeEncoder(node: node.appendChild(), codingPath: codingPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            NodeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            NodeEncoder(node: node.appendChild(), codingPath: codingPath)
        }
    }

    fileprivate struct SingleContainer: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.content = .scalar(.null) }
        mutating func encode(_ value: Bool) throws { node.content = .scalar(.bool(value)) }
        mutating func encode(_ value: String) throws { node.content = .scalar(.string(value)) }
        mutating func encode(_ value: Double) throws { node.content = .scalar(.double(value)) }
        mutating func encode(_ value: Float) throws { node.content = .scalar(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { node.content = .scalar(.int(value)) }
        mutating func encode(_ value: Int8) throws { node.content = .scalar(.int(Int(value))) }
        mutating func encode(_ value: Int16) throws { node.content = .scalar(.int(Int(value))) }
        mutating func encode(_ value: Int32) throws { node.content = .scalar(.int(Int(value))) }
        mutating func encode(_ value: Int64) throws { node.content = .scalar(integer(value)) }
        mutating func encode(_ value: UInt) throws { node.content = .scalar(integer(value)) }
        mutating func encode(_ value: UInt8) throws { node.content = .scalar(.int(Int(value))) }
        mutating func encode(_ value: UInt16) throws { node.content = .scalar(.int(Int(value))) }
        mutating func encode(_ value: UInt32) throws { node.content = .scalar(integer(value)) }
        mutating func encode(_ value: UInt64) throws { node.content = .scalar(integer(value)) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
        }

        /// An integer that does not fit `Int` (only `UInt64` above `Int.max` on 64-bit) becomes a float.
        private func integer(_ value: some BinaryInteger) -> GoJSONValue {
            if let exact = Int(exactly: value) { return .int(exact) }
            return .double(Double(value))
        }
    }
}
