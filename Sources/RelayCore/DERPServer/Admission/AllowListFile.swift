import Foundation

/// The `-allow-keys-file` format: one `nodekey:<64 hex>` per line. Blank lines are skipped and
/// `#` starts a comment, on its own line or after a key. Surrounding whitespace and CRLF line
/// ends are tolerated. Anything else is an error naming the line, so a typo never silently
/// shuts a node out.
package enum AllowListFile {
    package static func load(path: String) throws(AdmissionError) -> Set<NodePublicKey> {
        let text: String
        do {
            text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        } catch {
            throw .fileUnreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(text, path: path)
    }

    package static func parse(_ text: String, path: String) throws(AdmissionError) -> Set<NodePublicKey> {
        var keys = Set<NodePublicKey>()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let uncommented = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let line = uncommented.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            do {
                keys.insert(try NodePublicKey(text: line))
            } catch {
                throw .malformedLine(path: path, line: lineNumber, reason: "\(error)")
            }
        }
        return keys
    }
}
