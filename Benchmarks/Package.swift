// swift-tools-version:6.2
// Load generators for derper (issue 7). A package of its own, so nothing here reaches the toolkit's users:
// `swift build -c release` in this folder, or `make bench` at the root to build, run and report.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone was called.
let toolkitPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "relay-toolkit-benchmarks",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "derpbench", targets: ["derpbench"]),
        .executable(name: "stunbench", targets: ["stunbench"]),
    ],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // libsodium for the NaCl box of the DERP handshake, the same way the toolkit's CSodium does it.
        .systemLibrary(
            name: "CBenchSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // UDP_SEGMENT sends for stunbench.
        .target(name: "CBenchUDP"),
        // Figures and records shared by both generators (no networking).
        .target(name: "BenchSupport"),
        .executableTarget(
            name: "derpbench",
            dependencies: [
                "BenchSupport",
                "CBenchSodium",
                .product(name: "RelayCore", package: toolkitPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "stunbench",
            dependencies: [
                "BenchSupport",
                "CBenchUDP",
                .product(name: "CRelaySystem", package: toolkitPackage),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport"]),
        // malloc, free and friends, defined in the test executable so that they replace glibc's for the
        // whole process and count what the thread under measurement allocates.
        .target(name: "CAllocationCounter"),
        // Allocation gates CI runs (`make test`): deterministic counts, never wall time. They use
        // `@testable import RelayCore` to reach its `package` and internal API from this package, which
        // works in debug builds (SwiftPM compiles every target with -enable-testing there).
        .testTarget(
            name: "AllocationTests",
            dependencies: [
                "CAllocationCounter",
                .product(name: "RelayCore", package: toolkitPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// Shared settings for every target, applied in one place (as in the toolkit's Package.swift).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
