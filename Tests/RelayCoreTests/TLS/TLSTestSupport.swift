import Foundation
import Testing
@testable import RelayCore

/// The parent suite of everything in this folder, so `swift test --filter TLS` runs it all.
@Suite struct TLSTests {}

/// Helpers for the TLS tests: a scratch directory, and the `openssl` command-line tool as an
/// independent judge of what our code writes (and as a source of certificates made elsewhere).
enum TLSTestSupport {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "tls-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let openSSLAvailable: Bool = (try? openssl(["version"]).status) == 0

    struct Result {
        var status: Int32
        var output: Data
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `openssl` with `arguments`, feeding `input` on stdin. Synchronous: tests only.
    @discardableResult
    static func openssl(_ arguments: [String], input: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: output)
    }

    /// Runs `/bin/sh -c command` and returns its standard output. Synchronous: tests only.
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("command failed: \(command)") }
        return String(decoding: output, as: UTF8.self)
    }

    /// Makes a self-signed P-256 certificate with the given subject and SAN extension using
    /// openssl, writing `<base>.crt` and `<base>.key` (SEC1 `EC PRIVATE KEY`, like Go's derper).
    static func makeOpenSSLCertificate(
        directory: String,
        baseName: String,
        subject: String,
        subjectAltName: String,
        days: Int = 30
    ) throws -> (certificatePath: String, keyPath: String) {
        let certificatePath = directory + "/" + baseName + ".crt"
        let keyPath = directory + "/" + baseName + ".key"
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath])
        let result = try openssl([
            "req", "-x509", "-new", "-key", keyPath, "-out", certificatePath, "-days", "\(days)",
            "-subj", subject, "-addext", "subjectAltName=\(subjectAltName)",
        ])
        guard result.status == 0 else { throw TestFailure("openssl req failed") }
        return (certificatePath, keyPath)
    }

    /// The DER of the first certificate in a PEM file, as openssl converts it.
    static func derOfPEMFile(_ path: String) throws -> [UInt8] {
        let result = try openssl(["x509", "-in", path, "-outform", "DER"])
        guard result.status == 0 else { throw TestFailure("openssl x509 failed for \(path)") }
        return Array(result.output)
    }

    static func serverKey(_ byte: UInt8 = 0x42) throws -> NodePublicKey {
        try NodePublicKey(rawBytes: (0..<32).map { UInt8(truncatingIfNeeded: Int($0) &* 7 &+ Int(byte)) })
    }

    static func fileMode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
