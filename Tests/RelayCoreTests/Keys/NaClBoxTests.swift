import Testing
@testable import RelayCore

/// Known answers from libsodium's own test suite: `test/default/box.c` and `box.exp`
/// (the classic NaCl "box" vector; the keys are RFC 7748 section 6.1's Alice and Bob).
/// `box.exp` prints bytes 16... of `crypto_box` output, which is exactly `tag || ciphertext`,
/// the part of DERP's layout that follows the nonce.
@Suite struct NaClBoxTests {
    static let alicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    static let alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    static let bobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
    static let bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    static let nonce = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37"
    static let message = """
        be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01\
        233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd49\
        24ca1c60902e52f0a089bc76897040e082f937763848645e0705
        """
    static let expected = """
        f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98\
        dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6b\
        b3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5
        """

    @Test func publicKeysDeriveFromPrivateKeys() throws {
        let alice = try NodePrivateKey(text: "privkey:" + Self.alicePrivate)
        let bob = try NodePrivateKey(text: "privkey:" + Self.bobPrivate)
        #expect(alice.publicKey.hexString == Self.alicePublic)
        #expect(bob.publicKey.hexString == Self.bobPublic)
    }

    @Test func sealMatchesLibsodiumKnownAnswer() throws {
        let alice = try NodePrivateKey(text: "privkey:" + Self.alicePrivate)
        let bob = try NodePublicKey(hex: Self.bobPublic)
        let nonce = try #require(Hex.decode(Self.nonce))
        let message = try #require(Hex.decode(Self.message))
        #expect(message.count == 131)
        let sealed = try NaClSharedKey(privateKey: alice, peer: bob).seal(message, nonce: nonce)
        #expect(sealed.count == 24 + 16 + 131)
        #expect(Array(sealed.prefix(24)) == nonce)
        #expect(Hex.encode(sealed.dropFirst(24)) == Self.expected)
    }

    @Test func knownAnswerOpensOnTheOtherSide() throws {
        let bob = try NodePrivateKey(text: "privkey:" + Self.bobPrivate)
        let alice = try NodePublicKey(hex: Self.alicePublic)
        let sealed = try #require(Hex.decode(Self.nonce + Self.expected))
        let opened = try NaClBox.open(sealed, from: alice, to: bob)
        #expect(Hex.encode(opened) == Self.message)
    }

    @Test func roundTripWithRandomNonce() throws {
        let client = try NodePrivateKey(text: "privkey:" + Self.alicePrivate)
        let server = try NodePrivateKey(text: "privkey:" + Self.bobPrivate)
        let json = Array(#"{"version":2,"CanAckPings":true}"#.utf8)
        let first = try NaClBox.seal(json, to: server.publicKey, from: client)
        let second = try NaClBox.seal(json, to: server.publicKey, from: client)
        #expect(first.count == json.count + NaClBox.overhead)
        #expect(first.prefix(24) != second.prefix(24), "each seal draws a fresh nonce")
        #expect(try NaClBox.open(first, from: client.publicKey, to: server) == json)
        #expect(try NaClBox.open(second, from: client.publicKey, to: server) == json)
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let a = NodePrivateKey.generate(), b = NodePrivateKey.generate()
        let sealed = try NaClBox.seal([], to: b.publicKey, from: a)
        #expect(sealed.count == NaClBox.overhead)
        #expect(try NaClBox.open(sealed, from: a.publicKey, to: b) == [])
    }

    @Test func tamperedOrShortBoxesFail() throws {
        let a = NodePrivateKey.generate(), b = NodePrivateKey.generate(), c = NodePrivateKey.generate()
        var sealed = try NaClBox.seal(Array("hello".utf8), to: b.publicKey, from: a)
        #expect(throws: KeyError.boxOpenFailed) { try NaClBox.open(sealed, from: c.publicKey, to: b) }
        sealed[sealed.count - 1] ^= 1
        #expect(throws: KeyError.boxOpenFailed) { try NaClBox.open(sealed, from: a.publicKey, to: b) }
        #expect(throws: KeyError.boxTooShort(39)) { try NaClBox.open([UInt8](repeating: 0, count: 39), from: a.publicKey, to: b) }
    }

    @Test func zeroAndLowOrderPeerKeysAreRejected() throws {
        let a = NodePrivateKey.generate()
        let zero = try NodePublicKey(rawBytes: [UInt8](repeating: 0, count: 32))
        #expect(throws: KeyError.zeroKey) { try NaClBox.seal([1], to: zero, from: a) }
        // A small-order point from libsodium's box.c test; crypto_box_beforenm refuses it.
        let smallOrder = try NodePublicKey(hex: "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
        #expect(throws: KeyError.weakPublicKey) { try NaClBox.seal([1], to: smallOrder, from: a) }
    }
}
