import CSodium

/// NaCl `crypto_box` (X25519 + XSalsa20-Poly1305) laid out as DERP carries it:
/// `nonce (24) || tag (16) || ciphertext`. The only user of CSodium besides key derivation.
package enum NaClBox {
    package static let nonceLength = 24
    package static let tagLength = 16
    package static let overhead = nonceLength + tagLength

    /// Seals `plaintext` from `sender` to `recipient` with a fresh random nonce.
    package static func seal(
        _ plaintext: some Collection<UInt8>, to recipient: NodePublicKey, from sender: NodePrivateKey
    ) throws(KeyError) -> [UInt8] {
        try NaClSharedKey(privateKey: sender, peer: recipient).seal(plaintext)
    }

    /// Opens `nonce || tag || ciphertext` sent by `sender` to `recipient`.
    package static func open(
        _ sealed: some Collection<UInt8>, from sender: NodePublicKey, to recipient: NodePrivateKey
    ) throws(KeyError) -> [UInt8] {
        try NaClSharedKey(privateKey: recipient, peer: sender).open(sealed)
    }
}

/// The precomputed box key for one (private, peer public) pair (`crypto_box_beforenm`),
/// so that a connection derives it once and reuses it.
package struct NaClSharedKey: Sendable {
    private let key: [UInt8]

    package init(privateKey: NodePrivateKey, peer: NodePublicKey) throws(KeyError) {
        guard !peer.isZero else { throw .zeroKey }
        _ = Sodium.initialised
        var key = [UInt8](repeating: 0, count: Int(crypto_box_BEFORENMBYTES))
        let peerBytes = peer.rawBytes
        let secret = privateKey.rawBytes
        let status = key.withUnsafeMutableBufferPointer { k -> Int32 in
            peerBytes.withUnsafeBufferPointer { pk -> Int32 in
                secret.withUnsafeBufferPointer { sk -> Int32 in
                    guard let kb = k.baseAddress, let pkb = pk.baseAddress, let skb = sk.baseAddress else { return -1 }
                    return crypto_box_beforenm(kb, pkb, skb)
                }
            }
        }
        guard status == 0 else { throw .weakPublicKey }
        self.key = key
    }

    /// Seals with a fresh random nonce.
    package func seal(_ plaintext: some Collection<UInt8>) -> [UInt8] {
        seal(plaintext, nonce: Sodium.randomBytes(NaClBox.nonceLength))
    }

    /// Seals with a caller-chosen nonce: only for known-answer tests. Never reuse a nonce.
    package func seal(_ plaintext: some Collection<UInt8>, nonce: [UInt8]) -> [UInt8] {
        precondition(nonce.count == NaClBox.nonceLength, "nonce must be 24 bytes")
        // Layout: nonce || tag || ciphertext. The plaintext is placed where the ciphertext goes
        // and encrypted in place (libsodium allows overlapping input and output for this API).
        var output = nonce + [UInt8](repeating: 0, count: NaClBox.tagLength) + Array(plaintext)
        let messageLength = output.count - NaClBox.overhead
        output.withUnsafeMutableBufferPointer { out in
            key.withUnsafeBufferPointer { k in
                guard let base = out.baseAddress, let kb = k.baseAddress else { return }
                let cipher = base + NaClBox.nonceLength
                _ = crypto_box_easy_afternm(cipher, cipher + NaClBox.tagLength, UInt64(messageLength), base, kb)
            }
        }
        return output
    }

    package func open(_ sealed: some Collection<UInt8>) throws(KeyError) -> [UInt8] {
        var buffer = Array(sealed)
        guard buffer.count >= NaClBox.overhead else { throw .boxTooShort(buffer.count) }
        let cipherLength = buffer.count - NaClBox.nonceLength
        // Decrypt in place: libsodium writes the plaintext over the tag's position.
        let status = buffer.withUnsafeMutableBufferPointer { buf -> Int32 in
            key.withUnsafeBufferPointer { k -> Int32 in
                guard let base = buf.baseAddress, let kb = k.baseAddress else { return -1 }
                let cipher = base + NaClBox.nonceLength
                return crypto_box_open_easy_afternm(cipher, cipher, UInt64(cipherLength), base, kb)
            }
        }
        guard status == 0 else { throw .boxOpenFailed }
        return Array(buffer[NaClBox.nonceLength..<(buffer.count - NaClBox.tagLength)])
    }
}
