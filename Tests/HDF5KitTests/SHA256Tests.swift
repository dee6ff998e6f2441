import HDF5Kit
import Testing

/// FIPS 180-4 / NIST example vectors.
struct SHA256Tests {
    @Test func emptyMessageMatchesKnownDigest() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abcMatchesKnownDigest() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlock448BitMessageMatchesKnownDigest() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        #expect(SHA256.hex(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func millionAsMatchesKnownDigest() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(bytes) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalHashingEqualsOneShotAtEveryBlockBoundary() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 55, 56, 63, 64, 65, 128, 200, 300] {
            var hasher = SHA256.Hasher()
            hasher.update(Array(bytes[..<split]))
            hasher.update(Array(bytes[split...]))
            #expect(hasher.finalizeHex() == SHA256.hex(bytes), "split at \(split)")
        }
    }

    @Test func utf8StringIsHashedAsItsBytes() {
        let text = "Dβ = 1e-10 m²/s"
        #expect(SHA256.hex(text) == SHA256.hex(Array(text.utf8)))
    }
}
