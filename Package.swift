// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: C shims ← Netlink ← Testbed/Faults ← Runner ← CLI.
// ScenarioFormat, RunHistory, Checks and Reports never import the netlink layer,
// so they build and test on any machine.
let package = Package(
    name: "faultline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "faultline", targets: ["faultline"]),
        .executable(name: "faultline-bench", targets: ["faultline-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev", "libnl-nf-3-dev"])]
        ),
        .target(name: "CLinux"),
        // NFQUEUE over raw netlink: the userspace link-fault engine's hot path, no allocation per packet.
        .target(name: "CNetfilterQueue"),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        // libyaml's event parser: the scenario reader composes its own tree, finding repeated keys as it goes.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // MARK: Pure model: runs anywhere
        .target(name: "ScenarioFormat", dependencies: ["CLibYAML"]),
        // Locks a real-time thread may share with ordinary ones (priority inheritance).
        .target(name: "RealtimeSync"),
        .target(name: "RunHistory", dependencies: ["ScenarioFormat", "RealtimeSync"]),
        .target(name: "Checks", dependencies: ["ScenarioFormat", "RunHistory"]),
        .target(name: "Reports", dependencies: ["ScenarioFormat", "RunHistory", "Checks"]),

        // MARK: The machine: netlink, namespaces, processes, faults
        .target(name: "Netlink", dependencies: ["CNetlink", "CLinux", "CNetfilterQueue"]),
        // The guest kernel (user-mode Linux): its launcher, and the init that runs inside it.
        .target(name: "Guest", dependencies: ["CLinux", "Netlink"]),
        .target(
            name: "Testbed",
            dependencies: ["Netlink", "CLinux", "ScenarioFormat", "RunHistory"]
        ),
        // The scenario's DNS server: wire codec, zone, hijack rules, and the SwiftNIO server.
        .target(
            name: "DNS",
            dependencies: [
                "ScenarioFormat", "RunHistory", "RealtimeSync", "Netlink", "CLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Stand-in services (http, consul-kv) that hosts run instead of a program.
        .target(
            name: "Services",
            dependencies: [
                "Netlink", "Testbed", "ScenarioFormat", "RunHistory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Faults",
            dependencies: ["Netlink", "CLinux", "CNetfilterQueue", "Testbed", "Services", "DNS", "ScenarioFormat", "RunHistory", "RealtimeSync"],
            exclude: ["README.md"]),
        // Packet capture on the router and the decoders behind it (decoders are pure).
        .target(name: "Observer", dependencies: ["CPcap", "Netlink", "Testbed", "DNS", "RunHistory", "ScenarioFormat"]),
        .target(
            name: "Runner",
            dependencies: [
                "RealtimeSync",
                "ScenarioFormat", "RunHistory", "Checks", "Reports", "Netlink", "Testbed", "Services", "Faults", "Observer", "DNS", "Guest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "faultline",
            dependencies: ["Runner", "Faults", "Guest", "CLinux", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "faultline-bench",
            dependencies: ["Runner", "Netlink", "Testbed", "Services", "Faults", "Observer", "RunHistory", "ScenarioFormat", "DNS", "RealtimeSync", "Guest"]),

        // MARK: Tests
        .testTarget(name: "ScenarioFormatTests", dependencies: ["ScenarioFormat"], exclude: ["Fixtures"]),
        .testTarget(name: "RealtimeSyncTests", dependencies: ["RealtimeSync", "CLinux"]),
        .testTarget(name: "RunHistoryTests", dependencies: ["RunHistory", "ScenarioFormat"]),
        .testTarget(name: "ChecksTests", dependencies: ["Checks", "RunHistory", "ScenarioFormat"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Checks", "RunHistory", "ScenarioFormat"], exclude: ["Golden"]),
        .testTarget(name: "FaultsTests", dependencies: ["Faults", "Netlink", "Testbed", "Services", "ScenarioFormat", "RunHistory"]),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink"]),
        .testTarget(name: "GuestTests", dependencies: ["Guest"]),
        .testTarget(name: "ObserverTests", dependencies: ["Observer", "DNS", "RunHistory", "ScenarioFormat"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "ScenarioFormat", "RunHistory"], exclude: ["Corpus"]),
        .testTarget(
            name: "ServicesTests",
            dependencies: [
                "Services", "RunHistory", "ScenarioFormat",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Privileged: real namespaces; each test builds and removes its own.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Runner", "Netlink", "Testbed", "Services", "Faults", "Observer", "RunHistory", "ScenarioFormat", "DNS", "Guest"]),
    ]
)
