import Foundation
import Testing
@testable import RelayCore

@Suite struct NodeKeyFileTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "keyfile-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func createsWithMode0600AndReloads() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/state/derper.key"
        let created = try NodeKeyFile.loadOrCreate(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let reloaded = try NodeKeyFile.loadOrCreate(path: path)
        #expect(reloaded == created)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"PrivateKey\""))
        #expect(text.contains(created.textRepresentation))
    }

    @Test func readsTheReferenceFormat() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/derper.key"
        let json = "{\n\t\"PrivateKey\": \"privkey:4081e8e15f246856e09502d8771db58780e6cf6604dcc4a6ebc8091ec400bc5a\"\n}"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(json.utf8), attributes: [.posixPermissions: 0o600]))
        let key = try NodeKeyFile.load(path: path)
        #expect(key.textRepresentation == "privkey:4081e8e15f246856e09502d8771db58780e6cf6604dcc4a6ebc8091ec400bc5a")
    }

    @Test func refusesWorldReadableFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/derper.key"
        try NodeKeyFile.save(NodePrivateKey.generate(), to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyError.fileInsecure(path: path, mode: 0o644)) { try NodeKeyFile.load(path: path) }
        #expect(KeyError.fileInsecure(path: path, mode: 0o644).description.contains("chmod 600"))
    }

    @Test func malformedFilesGiveClearErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/derper.key"
        for body in ["not json", "{\"PrivateKey\": \"nodekey:00\"}", "{}"] {
            try? FileManager.default.removeItem(atPath: path)
            _ = FileManager.default.createFile(atPath: path, contents: Data(body.utf8), attributes: [.posixPermissions: 0o600])
            #expect {
                try NodeKeyFile.load(path: path)
            } throws: { error in
                guard case .fileMalformed = error as? KeyError else { return false }
                return true
            }
        }
    }
}
