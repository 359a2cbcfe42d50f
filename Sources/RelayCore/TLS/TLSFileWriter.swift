#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes certificate and key files: to a temporary file created with the final mode, synced,
/// then renamed into place, so a reader never sees a half-written key or a key with wider
/// permissions than intended.
enum TLSFileWriter {
    /// Creates `directory` (and parents) with mode 0700 if it is missing, as the reference does
    /// (`os.MkdirAll(dir, 0700)`).
    static func createDirectory(_ directory: String) throws(TLSSetupError) {
        guard !directory.isEmpty else { return }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw .fileWriteFailed(path: prefix, reason: String(cString: strerror(errno)))
            }
            prefix += "/"
        }
    }

    static func writeFile(_ contents: String, to path: String, mode: mode_t) throws(TLSSetupError) {
        let bytes = Array(contents.utf8)
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .fileWriteFailed(path: temporary, reason: String(cString: strerror(errno))) }
        // The umask may have narrowed the mode; set it exactly (0644 certificate, 0600 key).
        var ok = fchmod(fd, mode) == 0
        var written = 0
        while ok, written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            ok = result > 0
            if ok { written += result }
        }
        ok = ok && fsync(fd) == 0
        let savedErrno = errno
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(ok ? errno : savedErrno))
            unlink(temporary)
            throw .fileWriteFailed(path: path, reason: reason)
        }
    }
}
