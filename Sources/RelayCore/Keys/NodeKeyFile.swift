#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The derper key file (`derper -c PATH`): JSON `{"PrivateKey": "privkey:<hex>"}`, mode 0600.
/// Loading refuses a file that other users can read; saving creates it 0600 atomically.
package enum NodeKeyFile {
    private struct Contents: Codable {
        var PrivateKey: String
    }

    /// Loads the key at `path`, or creates a new one there if the file does not exist.
    package static func loadOrCreate(path: String) throws(KeyError) -> NodePrivateKey {
        if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        let key = NodePrivateKey.generate()
        try save(key, to: path)
        return key
    }

    package static func load(path: String) throws(KeyError) -> NodePrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o004 == 0 else { throw .fileInsecure(path: path, mode: mode) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw .fileMalformed(path: path, reason: "expected JSON {\"PrivateKey\": \"privkey:...\"}")
        }
        do {
            return try NodePrivateKey(text: contents.PrivateKey)
        } catch {
            throw .fileMalformed(path: path, reason: error.description)
        }
    }

    /// Writes the key to a temporary file created with mode 0600, then renames it into place.
    package static func save(_ key: NodePrivateKey, to path: String) throws(KeyError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        guard var data = try? encoder.encode(Contents(PrivateKey: key.textRepresentation)) else {
            throw .fileWriteFailed(path: path, reason: "encoding failed")
        }
        data.append(0x0a)
        // The parent directory, computed by hand: NSString.deletingLastPathComponent traps on some
        // short relative paths (e.g. "k") in this Foundation, and a user's -c value must never crash us.
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .fileWriteFailed(path: temporary, reason: String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { buffer in write(fd, buffer.baseAddress, buffer.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .fileWriteFailed(path: path, reason: reason)
        }
    }
}
