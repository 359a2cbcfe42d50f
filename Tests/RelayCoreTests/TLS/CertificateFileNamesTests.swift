import Testing
@testable import RelayCore

extension TLSTests {
    @Suite struct CertificateFileNamesTests {
        @Test(arguments: [
            ("derp.example.com", "derp.example.com"),
            ("2001:db8::1", "2001db81"),
            ("203.0.113.10", "203.0.113.10"),
            ("my_host!.Example-1.org", "myhost.Example-1.org"),
            ("héllo.example", "hllo.example"),
            ("[::1]", "1"),
        ])
        func baseNameDropsUnsafeCharacters(hostname: String, expected: String) {
            #expect(CertificateFileNames.baseName(forHostname: hostname) == expected)
        }

        @Test func pathsFollowTheReferenceLayout() {
            let files = CertificateFileNames(directory: "/var/lib/derper/certs", hostname: "2001:db8::1")
            #expect(files.certificatePath == "/var/lib/derper/certs/2001db81.crt")
            #expect(files.keyPath == "/var/lib/derper/certs/2001db81.key")
            let trailing = CertificateFileNames(directory: "certs/", hostname: "derp.example.com")
            #expect(trailing.certificatePath == "certs/derp.example.com.crt")
            let current = CertificateFileNames(directory: "", hostname: "1.2.3.4")
            #expect(current.keyPath == "1.2.3.4.key")
        }
    }
}
