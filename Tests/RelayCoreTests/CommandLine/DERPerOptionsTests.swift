import Foundation
import Testing

@testable import RelayCore

/// derper's option set against the reference (tailscale/tailscale cmd/derper/derper.go at de9ec7e).
@Suite struct DERPerOptionsTests {
    static let root = DERPerEnvironment(variables: ["HOME": "/root"], isRoot: true)
    static let user = DERPerEnvironment(variables: ["HOME": "/home/op"], isRoot: false)

    struct UnexpectedOutcome: Error {}

    func options(_ arguments: [String], _ environment: DERPerEnvironment = DERPerOptionsTests.root) throws -> DERPerOptions {
        guard case .run(let options) = try DERPerOptions.parse(arguments, environment: environment) else {
            throw UnexpectedOutcome()
        }
        return options
    }

    func failure(_ arguments: [String], _ environment: DERPerEnvironment = DERPerOptionsTests.root) -> DERPerOptionsError? {
        #expect(throws: DERPerOptionsError.self) { try DERPerOptions.parse(arguments, environment: environment) }
    }

    // MARK: Defaults

    @Test func referenceDefaults() throws {
        let o = try options([])
        #expect(o.listen == DERPerListenAddress(host: nil, port: 443))
        #expect(o.httpPort == 80)
        #expect(o.stunPort == 3478)
        #expect(o.runSTUN)
        #expect(o.runDERP)
        #expect(o.configPath == nil)
        #expect(o.keySource == .file(path: "/var/lib/derper/derper.key"))
        #expect(o.hostname == "derp.tailscale.com")
        #expect(o.certMode == .letsEncrypt)
        #expect(o.certDirectory == "/root/.cache/tailscale/derper-certs")
        #expect(!o.acmeIPCerts && o.acmeEABKeyID == nil && o.acmeEABKey == nil && o.acmeEmail == nil)
        #expect(!o.dev)
        #expect(o.home == .builtIn)
        #expect(o.meshPSKFile == nil)
        #expect(o.meshWith.isEmpty)
        #expect(o.meshKeySource == .none)
        #expect(o.secretsURL == nil)
        #expect(o.secretsPathPrefix == "prod/derp")
        #expect(o.secretsCacheDirectory == "/root/.cache/derper-secrets")
        #expect(o.bootstrapDNSNames.isEmpty && o.unpublishedBootstrapDNSNames.isEmpty)
        #expect(!o.verifyClients)
        #expect(o.verifyClientURL == nil)
        #expect(o.verifyClientURLFailOpen)
        #expect(o.tailscaledSocketPath == nil)
        #expect(o.acceptConnectionLimit == .infinity)
        #expect(o.acceptConnectionBurst == Int.max)
        #expect(o.rateConfigPath == nil)
        #expect(o.tcpKeepAliveTime == .seconds(600))
        #expect(o.tcpUserTimeout == .seconds(15))
        #expect(o.tcpWriteTimeout == .seconds(2))
        #expect(!o.ace)
        #expect(!o.printVersion)
        #expect(o.servesTLS)
        #expect(o.effectiveListen == DERPerListenAddress(host: nil, port: 443))
        #expect(o.httpListen == DERPerListenAddress(host: nil, port: 80))
        #expect(o.stunListen == DERPerListenAddress(host: nil, port: 3478))
        #expect(o.explicitlySet.isEmpty && o.extraArguments.isEmpty && o.notImplementedFlagsSet.isEmpty)
    }

    @Test func ourDefaults() throws {
        let o = try options([])
        #expect(!o.stunStrict)
        #expect(o.stunAltPort == nil)
        #expect(o.stunAltAddress == nil)
        #expect(!o.jsonLogs)
        #expect("\(o.logLevel)" == "info")  // Logger.Level; this target does not import Logging
        #expect(o.meshCAFile == nil)
        #expect(o.allowKeysFile == nil)
        #expect(o.maxConnections == nil)
        #expect(o.drainTimeout == .seconds(5))
        #expect(o.metricsListen == nil)
    }

    @Test func certDirFollowsGoUserCacheDir() throws {
        #if !canImport(Darwin)
        let xdg = DERPerEnvironment(variables: ["HOME": "/root", "XDG_CACHE_HOME": "/var/cache"], isRoot: true)
        #expect(try options([], xdg).certDirectory == "/var/cache/tailscale/derper-certs")
        let relative = DERPerEnvironment(variables: ["HOME": "/root", "XDG_CACHE_HOME": "cache"], isRoot: true)
        #expect(try options(["-certmode", "manual", "-certdir", "/etc/derp"], relative).certDirectory == "/etc/derp")
        #expect(failure([], relative)?.message == "missing required -certdir flag")
        #endif
        let homeless = DERPerEnvironment(variables: [:], isRoot: true)
        #expect(try options(["-a", ":8080"], homeless).certDirectory == "")
        #expect(try options(["-a", ":8080"], homeless).secretsCacheDirectory == ".cache/derper-secrets")
    }

    @Test func meshPSKFileDefaultsToTheFirstExistingCandidate() throws {
        let environment = DERPerEnvironment(variables: ["HOME": "/home/op/"], isRoot: true) {
            $0 == "/home/op/keys/derp-mesh.key"
        }
        let o = try options([], environment)
        #expect(o.meshPSKFile == "/home/op/keys/derp-mesh.key")
        #expect(o.meshKeySource == .file(path: "/home/op/keys/derp-mesh.key"))
        let both = DERPerEnvironment(variables: ["HOME": "/home/op"], isRoot: true) { _ in true }
        #expect(try options([], both).meshPSKFile == "/home/derp/keys/derp-mesh.key")
    }

    // MARK: Key file

    @Test func nonRootNeedsConfigPathLikeTheReference() throws {
        let error = failure([], Self.user)
        #expect(error?.flag == "c")
        #expect(error?.message.contains("-c <config path> not specified") == true)
        #expect(error?.showsUsage == false)
        let o = try options(["-c", "/home/op/derper.key"], Self.user)
        #expect(o.keySource == .file(path: "/home/op/derper.key"))
        #expect(try options(["-dev"], Self.user).keySource == .ephemeral)
    }

    // MARK: Dev mode

    @Test func devModeEffectiveValues() throws {
        let o = try options(["-dev"])
        #expect(o.dev)
        #expect(o.effectiveListen == DERPerListenAddress(host: nil, port: 3340))
        #expect(!o.servesTLS)
        #expect(o.httpListen == nil)
        #expect(o.stunListen == DERPerListenAddress(host: nil, port: 3478))
        #expect(o.keySource == .ephemeral)
        #expect(o.meshKeySource == .none)
        #expect(!o.devOverridesListen)
    }

    @Test func devOverridesExplicitListenAddress() throws {
        let o = try options(["-dev", "-a", "127.0.0.1:443"])
        #expect(o.listen == DERPerListenAddress(host: "127.0.0.1", port: 443))
        #expect(o.effectiveListen == DERPerListenAddress(host: nil, port: 3340))
        #expect(!o.servesTLS)
        #expect(o.devOverridesListen)
    }

    @Test func devWithManualCertModeServesTLS() throws {
        let o = try options(["-dev", "-certmode", "manual", "-hostname", "127.0.0.1"])
        #expect(o.servesTLS)
        #expect(o.httpListen == DERPerListenAddress(host: nil, port: 80))
    }

    @Test func devMeshKeyComesFromEnvironmentOnly() throws {
        let environment = DERPerEnvironment(
            variables: ["HOME": "/root", DERPerEnvironment.devMeshKeyVariable: String(repeating: "ab", count: 32)],
            isRoot: true)
        let o = try options(["-dev", "-mesh-psk-file", "/etc/mesh.key"], environment)
        #expect(o.meshKeySource == .environment(String(repeating: "ab", count: 32)))
        #expect(try options(["-mesh-psk-file", "/etc/mesh.key"], environment).meshKeySource == .file(path: "/etc/mesh.key"))
        let empty = DERPerEnvironment(variables: [DERPerEnvironment.devMeshKeyVariable: ""], isRoot: true)
        #expect(try options(["-dev"], empty).meshKeySource == .none)
    }

    @Test func secretsNeverPrint() throws {
        let key = String(repeating: "ab", count: 32)
        let environment = DERPerEnvironment(variables: [DERPerEnvironment.devMeshKeyVariable: key], isRoot: true)
        let o = try options(["-dev", "-acme-eab-key", "hmac-secret-value"], environment)
        #expect(o.acmeEABKey?.value == "hmac-secret-value")
        for text in [String(describing: o), String(reflecting: o), "\(o)"] {
            #expect(!text.contains(key))
            #expect(!text.contains("hmac-secret-value"))
        }
    }

    // MARK: TLS decision

    @Test(arguments: [
        ([], true), (["-a", ":8080"], false), (["-a", "[::1]:443"], true), (["-a", ":https"], true),
        (["-a", ":8443", "-certmode", "manual"], true), (["-a", ":8443", "-certmode=gcp"], false),
    ] as [([String], Bool)])
    func tlsIffPort443OrManual(arguments: [String], servesTLS: Bool) throws {
        #expect(try options(arguments).servesTLS == servesTLS)
    }

    @Test func plainHTTPListenerOnlyBesideTLSAndBoundToTheSameIP() throws {
        #expect(try options(["-a", ":8080"]).httpListen == nil)
        let o = try options(["-a", "[2001:db8::1]:443", "-http-port", "8081", "-stun-port", "3479"])
        #expect(o.httpListen == DERPerListenAddress(host: "2001:db8::1", port: 8081))
        #expect(o.stunListen?.description == "[2001:db8::1]:3479")
    }

    // MARK: Ports

    @Test func httpPortNegativeDisables() throws {
        #expect(try options(["-http-port", "-1"]).httpPort == nil)
        #expect(try options(["-http-port=-1"]).httpListen == nil)
        #expect(try options(["-http-port", "-2"]).httpPort == nil)
        #expect(try options(["-http-port", "8080"]).httpPort == 8080)
    }

    @Test func portsOutOfRange() {
        #expect(
            failure(["-http-port", "70000"])?.message
                == "invalid value \"70000\" for flag -http-port: port must be from 0 to 65535; -1 disables it")
        #expect(failure(["-stun-port", "-1"])?.flag == "stun-port")
        #expect(failure(["-stun-port", "65536"])?.flag == "stun-port")
        #expect(failure(["-stun-alt-port", "-5"])?.flag == "stun-alt-port")
    }

    @Test func listenAddressErrors() {
        let error = failure(["-a", ":abc"])
        #expect(error?.flag == "a")
        #expect(error?.message == "invalid server address \":abc\" for -a: port \"abc\" is not a number from 0 to 65535")
        #expect(error?.kind == .invalidOption)
        #expect(failure(["-a", "443"])?.message.contains("missing port in address") == true)
        #expect(failure(["-a", "::1:443"])?.message.contains("too many colons") == true)
    }

    // MARK: Flag grammar through DERPerOptions

    @Test func grammarErrorsShowUsageAndExit2() {
        let error = failure(["-nonsense"])
        #expect(error?.message == "flag provided but not defined: -nonsense")
        #expect(error?.kind == .flagSyntax(.notDefined))
        #expect(error?.showsUsage == true)
        #expect(error?.exitCode == 2)
        #expect(failure(["-http-port", "abc"])?.message == "invalid value \"abc\" for flag -http-port: parse error")
        #expect(failure(["-a"])?.message == "flag needs an argument: -a")
    }

    @Test func stunFalseIsPositionalLikeGo() throws {
        let o = try options(["-stun", "false"])
        #expect(o.runSTUN)
        #expect(o.extraArguments == ["false"])
        #expect(try !options(["-stun=false"]).runSTUN)
        #expect(try options(["-stun=false"]).stunListen == nil)
    }

    @Test func helpAndVersion() throws {
        for arguments in [["-h"], ["-help"], ["--help"]] {
            guard case .help(let usage) = try DERPerOptions.parse(arguments, environment: Self.root) else {
                Issue.record("no help for \(arguments)")
                continue
            }
            #expect(usage.hasPrefix("Usage of derper:\n"))
        }
        #expect(try DERPerOptions.parse(["-version", "-a", "garbage"], environment: Self.user) == .version)
        #expect(failure(["-version", "-http-port", "x"])?.kind == .flagSyntax(.invalidValue))
    }

    // MARK: Values

    @Test func certModeAndHome() throws {
        #expect(failure(["-certmode", "acme"])?.message.contains("possible options: manual, letsencrypt, gcp") == true)
        #expect(try options(["-home", "blank"]).home == .blank)
        let url = try #require(URL(string: "https://example.com/"))
        #expect(try options(["-home", "https://example.com/"]).home == .redirect(url))
        #expect(failure(["-home", "ftp://example.com/"])?.flag == "home")
    }

    @Test func referenceCertProviderChecks() throws {
        #expect(failure(["-hostname", "192.0.2.1"])?.flag == "hostname")
        _ = try options(["-hostname", "192.0.2.1", "-acme-ip-certs"])
        _ = try options(["-hostname", "192.0.2.1", "-certmode", "manual"])
        #expect(failure(["-certmode", "manual", "-acme-ip-certs"])?.flag == "acme-ip-certs")
        #expect(failure(["-certmode", "gcp"])?.message == "-certmode=gcp requires -acme-eab-kid and -acme-eab-key flags")
        #expect(
            failure(["-certmode", "gcp", "-acme-eab-kid", "k", "-acme-eab-key", "s"])?.message
                == "-certmode=gcp requires -acme-email flag")
        _ = try options(["-certmode", "gcp", "-acme-eab-kid", "k", "-acme-eab-key", "s", "-acme-email", "a@b.c"])
        // None of this matters when TLS is not served.
        _ = try options(["-a", ":8080", "-certmode", "gcp", "-hostname", "192.0.2.1"])
    }

    @Test func meshWith() throws {
        let o = try options(["-mesh-psk-file", "/etc/mesh.key", "-mesh-with", "a.example.com,b.example.com/10.0.0.2"])
        #expect(o.meshWith == [.init(host: "a.example.com"), .init(host: "b.example.com", dialHost: "10.0.0.2")])
        #expect(o.meshWith[0].dialHost == "a.example.com")
        #expect(failure(["-mesh-with", "a.example.com"])?.message == "-mesh-with requires a mesh key from -mesh-psk-file")
        #expect(failure(["-mesh-psk-file", "/k", "-mesh-with", "a/b/c"])?.message.contains("too many components") == true)
        #expect(failure(["-mesh-psk-file", "/k", "-mesh-with", "a,,b"])?.flag == "mesh-with")
    }

    @Test func bootstrapDNSNames() throws {
        let o = try options([
            "-bootstrap-dns-names", "derp.example.com,,log.example.com",
            "-unpublished-bootstrap-dns-names", "new.example.com/rollout.example.com,old.example.com",
        ])
        #expect(o.bootstrapDNSNames == [.init(name: "derp.example.com"), .init(name: "log.example.com")])
        #expect(
            o.unpublishedBootstrapDNSNames == [
                .init(name: "new.example.com", rolloutTXTName: "rollout.example.com"), .init(name: "old.example.com"),
            ])
    }

    @Test func admissionWebhook() throws {
        let o = try options(["-verify-client-url", "http://127.0.0.1:8080/verify", "-verify-client-url-fail-open=false"])
        #expect(o.verifyClientURL == URL(string: "http://127.0.0.1:8080/verify"))
        #expect(!o.verifyClientURLFailOpen)
        #expect(failure(["-verify-client-url", "not a url"])?.flag == "verify-client-url")
        #expect(failure(["-verify-client-url", "unix:///run/x.sock"])?.flag == "verify-client-url")
    }

    @Test func acceptLimits() throws {
        #expect(try options(["-accept-connection-limit", "+Inf"]).acceptConnectionLimit == .infinity)
        #expect(try options(["-accept-connection-limit=Inf"]).acceptConnectionLimit == .infinity)
        #expect(try options(["-accept-connection-limit", "12.5"]).acceptConnectionLimit == 12.5)
        #expect(try options(["-accept-connection-burst", "20"]).acceptConnectionBurst == 20)
        #expect(failure(["-accept-connection-limit", "-1"])?.flag == "accept-connection-limit")
        #expect(failure(["-accept-connection-limit", "NaN"])?.flag == "accept-connection-limit")
        #expect(failure(["-accept-connection-burst", "-1"])?.flag == "accept-connection-burst")
    }

    @Test func timeouts() throws {
        let o = try options([
            "-tcp-keepalive-time", "-1s", "-tcp-user-timeout", "0", "-tcp-write-timeout", "0", "-drain-timeout", "1.5s",
        ])
        #expect(o.tcpKeepAliveTime == nil)
        #expect(o.tcpUserTimeout == nil)
        #expect(o.tcpWriteTimeout == nil)
        #expect(o.drainTimeout == .milliseconds(1500))
        #expect(try options(["-tcp-keepalive-time", "0"]).tcpKeepAliveTime == .seconds(15))
        #expect(try options(["-tcp-write-timeout", "250ms"]).tcpWriteTimeout == .milliseconds(250))
        #expect(failure(["-tcp-user-timeout", "-1s"])?.message == "invalid value \"-1s\" for flag -tcp-user-timeout: must not be negative")
        #expect(failure(["-tcp-write-timeout", "-2s"])?.flag == "tcp-write-timeout")
        #expect(failure(["-drain-timeout", "-1ms"])?.flag == "drain-timeout")
        #expect(failure(["-drain-timeout", "5"])?.message == "invalid value \"5\" for flag -drain-timeout: parse error")
    }

    @Test func ourFlags() throws {
        let o = try options([
            "-stun-strict", "-stun-alt-port", "3479", "-stun-alt-addr", "2001:db8::2", "-json-logs",
            "-log-level", "debug", "-mesh-ca-file", "/etc/ca.pem", "-allow-keys-file", "/etc/keys",
            "-max-connections", "1000", "-metrics-listen", "127.0.0.1:9090",
        ])
        #expect(o.stunStrict && o.jsonLogs)
        #expect(o.stunAltPort == 3479)
        #expect(o.stunAltAddress == "2001:db8::2")
        #expect("\(o.logLevel)" == "debug")
        #expect(o.meshCAFile == "/etc/ca.pem")
        #expect(o.allowKeysFile == "/etc/keys")
        #expect(o.maxConnections == 1000)
        #expect(o.metricsListen == DERPerListenAddress(host: "127.0.0.1", port: 9090))
        #expect(failure(["-stun-alt-addr", "[::1]"])?.flag == "stun-alt-addr")
        #expect(failure(["-stun-alt-addr", "derp.example.com"])?.flag == "stun-alt-addr")
        #expect(failure(["-stun-alt-port", "3478"])?.message.contains("must differ from -stun-port") == true)
        #expect(failure(["-log-level", "verbose"])?.flag == "log-level")
        #expect(failure(["-max-connections", "-1"])?.flag == "max-connections")
        #expect(failure(["-metrics-listen", "9090"])?.flag == "metrics-listen")
    }

    @Test func notImplementedFlagsAreAcceptedAndReported() throws {
        let o = try options(["-verify-clients", "-socket", "/run/ts.sock", "-ace", "-secrets-url", "https://setec"])
        #expect(o.notImplementedFlagsSet == ["ace", "secrets-url", "socket", "verify-clients"])
        #expect(o.verifyClients)
        #expect(o.tailscaledSocketPath == "/run/ts.sock")
        #expect(o.secretsURL == "https://setec")
    }

    @Test func typicalReferenceCommandLines() throws {
        let manual = try options([
            "--hostname=derp1.example.com", "--certmode=manual", "--certdir=/etc/derper", "-a", ":443",
            "--stun-port=3478", "--http-port=-1", "--verify-client-url=https://hs.example.com/verify",
        ])
        #expect(manual.servesTLS && manual.httpListen == nil && manual.certDirectory == "/etc/derper")
        let plain = try options(["-a", ":8080", "-http-port", "-1", "-stun=false", "-derp=true"])
        #expect(!plain.servesTLS && plain.stunListen == nil && plain.runDERP)
    }

    // MARK: Usage

    static let referenceFlags = [
        "a", "accept-connection-burst", "accept-connection-limit", "ace", "acme-eab-key", "acme-eab-kid", "acme-email",
        "acme-ip-certs", "bootstrap-dns-names", "c", "certdir", "certmode", "derp", "dev", "home", "hostname",
        "http-port", "mesh-psk-file", "mesh-with", "rate-config", "secrets-cache-dir", "secrets-path-prefix",
        "secrets-url", "socket", "stun", "stun-port", "tcp-keepalive-time", "tcp-user-timeout", "tcp-write-timeout",
        "unpublished-bootstrap-dns-names", "verify-client-url", "verify-client-url-fail-open", "verify-clients",
        "version",
    ]

    @Test func usageListsEveryFlag() {
        let flags = DERPerFlags(environment: Self.root)
        let usage = DERPerOptions.usageText(environment: Self.root)
        #expect(Set(flags.parser.definitions.keys) == Set(Self.referenceFlags).union(DERPerFlags.extensions))
        #expect(DERPerFlags.notImplemented.isSubset(of: Set(Self.referenceFlags)))
        for name in flags.parser.definitions.keys {
            #expect(usage.contains("\n  -\(name) ") || usage.contains("\n  -\(name)\n"), "usage lacks -\(name)")
        }
        #expect(usage.contains("  -a string\n    \t"))
        #expect(usage.contains("(default \":443\")"))
        #expect(usage.contains("(default \"/root/.cache/tailscale/derper-certs\")"))
        #expect(usage.contains("(default +Inf)"))
        #expect(usage.contains("(default 9223372036854775807)"))
        #expect(usage.contains("(default 10m0s)"))
        #expect(usage.contains("(default 15s)"))
        #expect(usage.contains("(default 2s)"))
        #expect(usage.contains("  -dev\n"))
    }
}
