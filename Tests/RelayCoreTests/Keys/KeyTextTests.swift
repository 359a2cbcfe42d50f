import Testing
@testable import RelayCore

@Suite struct KeyTextTests {
    static let hex = "cab88bbb034bca11217e0a38733be94352daf676eaa0472544cc8db7e5c7f44d"

    @Test func publicKeyTextRoundTrip() throws {
        let key = try NodePublicKey(text: "nodekey:" + Self.hex)
        #expect(key.description == "nodekey:" + Self.hex)
        #expect(key.hexString == Self.hex)
        #expect(try NodePublicKey(rawBytes: key.rawBytes) == key)
        #expect(try NodePublicKey(text: "nodekey:" + Self.hex.uppercased()) == key, "upper-case hex is accepted")
    }

    static let malformed: [(String, KeyError)] = {
        let good = hex
        var cases: [(String, KeyError)] = []
        cases.append(("privkey:" + good, .wrongPrefix(expected: "nodekey:", found: "privkey:")))
        cases.append(("nodekey:" + String(good.dropLast(2)), .wrongLength(expected: 64, found: 62)))
        cases.append(("nodekey:" + good + "00", .wrongLength(expected: 64, found: 66)))
        cases.append(("nodekey:" + String(good.dropLast(1)) + "g", .notHex))
        cases.append((good, .wrongPrefix(expected: "nodekey:", found: String(good.prefix(16)))))
        cases.append(("", .wrongPrefix(expected: "nodekey:", found: "")))
        return cases
    }()

    @Test func malformedPublicKeysAreRejected() {
        for (text, error) in Self.malformed {
            #expect(throws: error, "\(text)") { try NodePublicKey(text: text) }
        }
    }

    @Test func privateKeyTextRoundTripAndRedaction() throws {
        let key = NodePrivateKey.generate()
        let parsed = try NodePrivateKey(text: key.textRepresentation)
        #expect(parsed == key)
        #expect(parsed.publicKey == key.publicKey)
        #expect(!key.description.contains(Hex.encode(key.rawBytes)), "description must not leak the key")
        #expect(key.rawBytes[0] & 7 == 0 && key.rawBytes[31] & 0xc0 == 0x40, "generated keys are clamped")
        #expect(throws: KeyError.wrongPrefix(expected: "privkey:", found: "nodekey:")) {
            try NodePrivateKey(text: "nodekey:" + Self.hex)
        }
        #expect(throws: KeyError.zeroKey) { try NodePrivateKey(rawBytes: [UInt8](repeating: 0, count: 32)) }
    }

    @Test func meshKeyParsingTrimsAndComparesInConstantTime() throws {
        let key = try DERPMeshKey(text: "  \(Self.hex.uppercased())\n")
        #expect(key.hexString == Self.hex)
        #expect(try DERPMeshKey(text: Self.hex) == key)
        #expect(throws: KeyError.wrongLength(expected: 64, found: 63)) { try DERPMeshKey(text: String(Self.hex.dropLast())) }
        #expect(throws: KeyError.notHex) { try DERPMeshKey(text: "x" + Self.hex.dropFirst()) }
        #expect(!key.description.contains(Self.hex))
    }
}
