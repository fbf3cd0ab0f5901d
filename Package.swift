// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: FaultlineCore ← ScenarioFormat/RunHistory ← Checks ← Reports, and
// FaultlineCore ← LinuxSystem ← Netlink ← Testbed/Faults ← Runner ← CLI.
// ScenarioFormat, RunHistory, Checks and Reports never import the Linux layers,
// so they build and test on any machine.
let package = Package(
    name: "faultline",
    products: [
        .executable(name: "faultline", targets: ["faultline"]),
        .executable(name: "faultline-bench", targets: ["faultline-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        // TLS on stand-ins: BoringSSL through SwiftNIO, and each run's certificates made in-process.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.0"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        .target(name: "CLinux"),
        // NFQUEUE over raw netlink: the userspace link-fault engine's hot path, no allocation per packet.
        .target(name: "CNetfilterQueue"),
        // nf_tables through libnftnl and libmnl: partitions' reject/reset rules and NFQUEUE steering.
        .target(name: "CNFTables", linkerSettings: [.linkedLibrary("nftnl"), .linkedLibrary("mnl")]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        // libyaml's event parser: the scenario reader composes its own tree, finding repeated keys as it goes.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // MARK: Pure model: runs anywhere
        // The base every module shares: units, addresses, exit status, the seeded generator, and
        // the lock real-time threads share with ordinary ones.
        .target(name: "FaultlineCore"),
        .target(name: "ScenarioFormat", dependencies: ["CLibYAML", "FaultlineCore"]),
        .target(name: "RunHistory", dependencies: ["FaultlineCore"]),
        .target(name: "Checks", dependencies: ["FaultlineCore", "RunHistory", "ScenarioFormat"]),
        .target(name: "Reports", dependencies: ["Checks", "FaultlineCore", "RunHistory", "ScenarioFormat"]),

        // MARK: The machine: netlink, namespaces, processes, faults
        // Linux without libnl: errno errors, namespaces and their threads, spawning, sockets, NFQUEUE.
        .target(name: "LinuxSystem", dependencies: ["CLinux", "CNetfilterQueue", "FaultlineCore"]),
        // libnl, and only libnl: links, addresses, routes, rules, qdiscs.
        .target(name: "Netlink", dependencies: ["CNetlink", "FaultlineCore", "LinuxSystem"]),
        // The guest kernel (user-mode Linux): its launcher, and the init that runs inside it.
        .target(name: "Guest", dependencies: ["CLinux", "LinuxSystem"]),
        .target(name: "Testbed", dependencies: ["CLinux", "FaultlineCore", "LinuxSystem", "Netlink", "RunHistory", "ScenarioFormat"]
        ),
        // The scenario's DNS server: wire codec, zone, hijack rules, and the SwiftNIO server.
        .target(name: "DNS", dependencies: [
                "CLinux",
                "FaultlineCore",
                "LinuxSystem",
                "RunHistory",
                "ScenarioFormat",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Stand-in services that hosts run instead of a program: http and consul-kv over HTTP/1.1,
        // etcd over gRPC (SwiftNIO's HTTP/2, with the etcd messages' protobuf written out), each
        // plaintext or TLS with the run's own certificates.
        .target(name: "Services", dependencies: [
                "FaultlineCore",
                "LinuxSystem",
                "RunHistory",
                "ScenarioFormat",
                "Testbed",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(name: "Faults", dependencies: [
                "CLinux",
                "CNetfilterQueue",
                "CNFTables",
                "DNS",
                "FaultlineCore",
                "LinuxSystem",
                "Netlink",
                "RunHistory",
                "ScenarioFormat",
                "Services",
                "Testbed",
            ],
            exclude: ["README.md"]),
        // Packet capture on the router and the decoders behind it (decoders are pure).
        // HTTP/2 header blocks are decoded with NIOHPACK; frames are parsed here.
        .target(name: "Observer", dependencies: [
                "CPcap",
                "DNS",
                "FaultlineCore",
                "LinuxSystem",
                "RunHistory",
                "ScenarioFormat",
                "Testbed",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]),
        .target(name: "Runner", dependencies: [
                "Checks",
                "DNS",
                "FaultlineCore",
                "Faults",
                "Guest",
                "LinuxSystem",
                "Netlink",
                "Observer",
                "Reports",
                "RunHistory",
                "ScenarioFormat",
                "Services",
                "Testbed",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Executables
        .executableTarget(name: "faultline", dependencies: [
                "Faults",
                "Guest",
                "Reports",
                "Runner",
                "ScenarioFormat",
                "Testbed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "faultline-bench", dependencies: [
                "DNS",
                "FaultlineCore",
                "Faults",
                "Guest",
                "LinuxSystem",
                "Netlink",
                "Observer",
                "RunHistory",
                "ScenarioFormat",
                "Services",
                "Testbed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Tests
        .testTarget(name: "ScenarioFormatTests", dependencies: ["FaultlineCore", "ScenarioFormat"], exclude: ["Fixtures"]),
        .testTarget(name: "FaultlineCoreTests", dependencies: ["CLinux", "FaultlineCore"]),
        .testTarget(name: "LinuxSystemTests", dependencies: ["CNetfilterQueue", "FaultlineCore", "LinuxSystem"]),
        .testTarget(name: "RunHistoryTests", dependencies: ["FaultlineCore", "RunHistory", "ScenarioFormat"]),
        .testTarget(name: "ChecksTests", dependencies: ["Checks", "FaultlineCore", "RunHistory", "ScenarioFormat"]),
        .testTarget(name: "ReportsTests", dependencies: ["Checks", "FaultlineCore", "Reports", "RunHistory", "ScenarioFormat"], exclude: ["Golden"]),
        .testTarget(name: "FaultsTests", dependencies: ["CNFTables", "FaultlineCore", "Faults", "Netlink", "ScenarioFormat", "Testbed"]),
        .testTarget(name: "NetlinkTests", dependencies: ["LinuxSystem", "Netlink"]),
        .testTarget(name: "RunnerTests", dependencies: ["Faults", "Runner"]),
        .testTarget(name: "GuestTests", dependencies: ["Guest"]),
        .testTarget(name: "ObserverTests", dependencies: [
                "DNS",
                "FaultlineCore",
                "Observer",
                "RunHistory",
                "ScenarioFormat",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "FaultlineCore", "RunHistory", "ScenarioFormat"], exclude: ["Corpus"]),
        .testTarget(name: "ServicesTests", dependencies: [
                "FaultlineCore",
                "LinuxSystem",
                "RunHistory",
                "ScenarioFormat",
                "Services",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Privileged: real namespaces; each test builds and removes its own.
        .testTarget(name: "IntegrationTests", dependencies: [
                "Checks",
                "DNS",
                "FaultlineCore",
                "Faults",
                "Guest",
                "LinuxSystem",
                "Netlink",
                "Observer",
                "RunHistory",
                "Runner",
                "ScenarioFormat",
                "Services",
                "Testbed",
            ]),
    ]
)

// CI (scripts/test.sh) builds with FAULTLINE_STRICT=1: a warning in this package's own code fails
// the build there, while a local build still only warns.
if Context.environment["FAULTLINE_STRICT"] == "1" {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
    }
}
