import Foundation
import Testing

@testable import RelayCore

@Suite struct JSONTextScannerTests {
    @Test(arguments: [
        "{}", "[]", "0", "-0.5e+10", "\"\\u00e9\\n\"", "true", " null ", "[1,[2,{\"a\":[]}]]",
        "{\"a\":1,\"b\":{\"c\":\"d\"}}\n", "\"São\"",
    ])
    func acceptsValidJSON(text: String) {
        #expect(JSONTextScanner(Array(text.utf8)).firstSyntaxError() == nil)
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil)
    }

    @Test(arguments: [
        ("", 0, "unexpected end of JSON input"),
        ("{", 1, "unexpected end of JSON input"),
        ("{\"a\" 1}", 5, "invalid character '1' after object key"),
        ("{\"a\":1,}", 7, "invalid character '}' looking for beginning of object key string"),
        ("[1,]", 3, "invalid character ']' looking for beginning of value"),
        ("[1 2]", 3, "invalid character '2' after array element"),
        ("{\"a\":1}x", 7, "invalid character 'x' after top-level value"),
        ("01", 1, "invalid character '1' after top-level value"),
        ("-", 1, "unexpected end of JSON input in numeric literal"),
        ("1.", 2, "unexpected end of JSON input in numeric literal"),
        ("1.e5", 2, "invalid character 'e' in numeric literal"),
        ("tru", 3, "unexpected end of JSON input in literal true"),
        ("nul!", 3, "invalid character '!' in literal null (expecting 'l')"),
        ("\"a\nb\"", 2, "invalid character 0x0a in string literal"),
        ("\"\\x\"", 2, "invalid character 'x' in string escape code"),
        ("\"\\u12g4\"", 5, "invalid character 'g' in \\u hexadecimal character escape"),
        ("\"abc", 4, "unexpected end of JSON input in string literal"),
        ("{'a':1}", 1, "invalid character ''' looking for beginning of object key string"),
    ])
    func reportsFirstError(text: String, offset: Int, message: String) {
        let error = JSONTextScanner(Array(text.utf8)).firstSyntaxError()
        #expect(error == JSONTextScanner.SyntaxError(offset: offset, message: message))
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        #expect(JSONTextScanner(bytes).firstSyntaxError()?.offset == 2)
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = JSONTextScanner(Array(deep.utf8)).firstSyntaxError()
        #expect(error?.offset == JSONTextScanner.maxDepth)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONTextScanner(Array(fine.utf8)).firstSyntaxError() == nil)
    }

    @Test func positionsCountLinesAndScalars() {
        let scanner = JSONTextScanner(Array("{\n\t\"é\": x".utf8))
        #expect(scanner.position(ofOffset: 0) == (1, 1))
        #expect(scanner.position(ofOffset: 2) == (2, 1))
        // "\t", "\"", "é" (two bytes), "\"", ":", " " then x.
        let x = Array("{\n\t\"é\": x".utf8).firstIndex(of: UInt8(ascii: "x")) ?? 0
        #expect(scanner.position(ofOffset: x) == (2, 7))
    }

    @Test func findsValuesByPath() {
        let text = #"{"a": {"skip": [1, {"x": "}"}], "b\u0041": [10, 20, {"c": true}]}}"#
        let scanner = JSONTextScanner(Array(text.utf8))
        let offset = scanner.offset(of: [.key("a"), .key("bA"), .index(2), .key("c")])
        #expect(offset.map { Array(text.utf8)[$0] } == UInt8(ascii: "t"))
        #expect(scanner.offset(of: [.key("a"), .key("bA"), .index(3)]) == nil)
        #expect(scanner.offset(of: [.key("missing")]) == nil)
        #expect(scanner.decodeString(at: 0)?.0 == nil)
        #expect(JSONTextScanner(Array(#""\ud83d\ude00 \ud800x""#.utf8)).decodeString(at: 0)?.0 == "😀 \u{FFFD}x")
    }
}
