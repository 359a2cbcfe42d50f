import CBenchSodium

/// A client's Curve25519 key pair and the NaCl box it seals its ClientInfo with (libsodium).
struct BenchKeyPair: Sendable {
    let publicKey: [UInt8]
    private let secretKey: [UInt8]

    init() throws(BenchError) {
        guard sodium_init() >= 0 else { throw .crypto("libsodium failed to initialise") }
        var pk = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
        guard crypto_box_keypair(&pk, &sk) == 0 else { throw .crypto("crypto_box_keypair failed") }
        publicKey = pk
        secretKey = sk
    }

    /// nonce (24) || tag (16) || ciphertext: the layout of DERP's ClientInfo box (spec/derp.md 6.1).
    func seal(_ message: [UInt8], to peer: [UInt8]) throws(BenchError) -> [UInt8] {
        guard peer.count == Int(crypto_box_PUBLICKEYBYTES) else { throw .protocolViolation("server key is not 32 bytes") }
        let nonceLength = Int(crypto_box_NONCEBYTES)
        var out = [UInt8](repeating: 0, count: nonceLength + Int(crypto_box_MACBYTES) + message.count)
        let status = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            randombytes_buf(base, nonceLength)
            return crypto_box_easy(base + nonceLength, message, UInt64(message.count), base, peer, secretKey)
        }
        guard status == 0 else { throw .crypto("crypto_box_easy failed") }
        return out
    }

    /// SHA-256 (libsodium), for comparing a certificate with its `sha256-raw` pin.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        return digest
    }
}
