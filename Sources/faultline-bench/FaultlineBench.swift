import ArgumentParser
import Foundation
import Glibc

/// `faultline-bench`: Faultline's speed measured against the references users would otherwise
/// reach for (spawning `ip`, dnsperf against dnsmasq, a native run for guest mode). A benchmark,
/// not a test; every namespace it makes starts with `fl-bench` and is removed on exit, also on
/// SIGINT and SIGTERM.
@main
struct FaultlineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline-bench",
        abstract: "Measures Faultline's setup, faults, observer, DNS server and guest mode against their references.",
        subcommands: [Everything.self, Partitions.self, Link.self, Observer.self, DNS.self, DNSServe.self, Guest.self],
        defaultSubcommand: Everything.self
    )
}

/// What every bench section shares: root, signal handling, and the testbeds swept on exit.
protocol BenchSection: ParsableCommand {
    /// Whether the section creates namespaces (and so needs root).
    static var needsRoot: Bool { get }
    func measure(runTag: String) throws
}

extension BenchSection {
    static var needsRoot: Bool { true }

    func run() throws {
        BenchTestbed.watchSignals()
        BenchTestbed.finish(measured())
    }

    /// Runs the section; the exit code. (One `finish` call at the end: Swift 6.3's optimiser
    /// crashes on this function when several `Never` calls sit in its branches.)
    private func measured() -> Int32 {
        guard !Self.needsRoot || getuid() == 0 else {
            FileHandle.standardError.write(Data("faultline-bench needs root: it creates network namespaces\n".utf8))
            return 2
        }
        let runTag = "bench\(String(UInt32.random(in: 0...0xFFFF), radix: 16))"
        BenchTestbed.sweep(prefix: "fl-\(runTag)")
        defer { removeBenchNamespaces("fl-\(runTag)") }
        do {
            try measure(runTag: runTag)
            return 0
        } catch {
            FileHandle.standardError.write(Data("faultline-bench \(Self._commandName): \(error)\n".utf8))
            return 1
        }
    }

    /// The `faultline` binary built beside this one.
    var faultlineBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/faultline"
    }
}

extension FaultlineBench {
    struct Everything: BenchSection {
        static let configuration = CommandConfiguration(
            commandName: "all",
            abstract: "Every section: setup, partition toggles, observer, services, validate, link.")
        func measure(runTag: String) throws { try benchEverything(runTag: runTag, binary: faultlineBinary) }
    }

    struct Partitions: BenchSection {
        static let configuration = CommandConfiguration(
            abstract: "Partition toggles: libnl against spawning ip, nf_tables against spawning iptables.")
        func measure(runTag: String) throws { try benchPartitions(runTag: runTag) }
    }

    struct Link: BenchSection {
        static let configuration = CommandConfiguration(abstract: "The userspace link engine against its figures.")
        func measure(runTag: String) throws { try LinkBench.run(runTag: runTag) }
    }

    struct Observer: BenchSection {
        static let configuration = CommandConfiguration(abstract: "The traffic observer's capture and decoding rate.")
        func measure(runTag: String) throws { try benchObserver(runTag: runTag) }
    }

    struct DNS: BenchSection {
        static let configuration = CommandConfiguration(
            commandName: "dns", abstract: "dnsperf against the scenario DNS server, beside dnsmasq.")
        func measure(runTag: String) throws { try DNSBench.run() }
    }

    struct DNSServe: BenchSection {
        static let configuration = CommandConfiguration(
            commandName: "dns-serve", abstract: "Starts the DNS server alone in a bench namespace, until interrupted.")
        func measure(runTag: String) throws { try DNSBench.serve() }
    }

    struct Guest: BenchSection {
        static let configuration = CommandConfiguration(
            abstract: "Guest mode (user-mode Linux) against a run on this machine's kernel.")
        @Option(help: "Runs of each kind; the figures are medians.")
        var rounds = 3
        func measure(runTag: String) throws { try GuestBench.run(binary: faultlineBinary, rounds: rounds) }
    }
}
