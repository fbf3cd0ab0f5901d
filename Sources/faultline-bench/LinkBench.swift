import FaultlineCore
import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed
import Synchronization

/// The `link` section: the userspace engine at 50 ms delay against the plain forward path, with
/// real UDP datagrams (sequence number + send time) from one namespace to another.
enum LinkBench {
    struct Figures {
        var sent = 0, received = 0
        var oneWay: [Double] = []
        var cpuPercent = 0.0
        var achievedRate = 0.0
    }

    static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func processCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func socket(_ thread: NamespaceThread, bind address: IPv4Address?, port: UInt16) throws -> Int32 {
        try thread.run {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var big: Int32 = 32 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, 4)
            if let address {
                let r = bind(fd, to: IPv4SocketAddress(address, port: port))
                guard r == 0 else { throw BenchError(description: "bind \(address):\(port) failed") }
            }
            return fd
        }
    }

    /// Sends `rate` datagrams per second for `seconds` from a to b and collects one-way delays.
    static func blast(_ topology: Topology, rate: Double, seconds: Double, port: UInt16) throws -> Figures {
        let rx = try socket(topology.thread(of: "b"), bind: try topology.address(of: "b"), port: port)
        let tx = try socket(topology.thread(of: "a"), bind: nil, port: 0)
        defer { close(rx); close(tx) }
        let count = Int(rate * seconds)
        let delays = DelayBox()
        let stop = ManagedAtomicFlag()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            var values: [Double] = []
            values.reserveCapacity(count)
            var buf = [UInt8](repeating: 0, count: 64)
            var pfd = pollfd(fd: rx, events: Int16(POLLIN), revents: 0)
            while !stop.isSet || poll(&pfd, 1, 0) == 1 {
                guard poll(&pfd, 1, 20) == 1 else { continue }
                let n = recv(rx, &buf, 64, Int32(MSG_DONTWAIT))
                guard n >= 8 else { continue }
                let sent = buf.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                values.append(Double(monotonic() - sent) / 1e6)
            }
            delays.values.withLock { $0 = values }
            done.signal()
        }
        reader.start()
        let destination = IPv4SocketAddress(try topology.address(of: "b"), port: port)
        let cpu0 = processCPU()
        let start = monotonic()
        let interval = 1e9 / rate
        var packet = [UInt8](repeating: 0, count: 64)
        for i in 0..<count {
            let target = start + Int64(Double(i) * interval)
            while monotonic() < target {
                let left = target - monotonic()
                if left > 150_000 { usleep(UInt32(left / 1000 - 100)) }
            }
            packet.withUnsafeMutableBytes { $0.storeBytes(of: monotonic(), as: Int64.self) }
            _ = send(tx, packet, count: 64, to: destination)
        }
        let elapsed = Double(monotonic() - start) / 1e9
        usleep(300_000)
        stop.set()
        done.wait()
        let cpu = processCPU() - cpu0
        let oneWay = delays.values.withLock { $0 }
        return Figures(sent: count, received: oneWay.count, oneWay: oneWay, cpuPercent: cpu / (elapsed + 0.3) * 100,
                       achievedRate: Double(count) / elapsed)
    }

    static func run(runTag: String) throws {
        print("Link faults, userspace engine (NFQUEUE delay line) at delay 50ms, UDP 64-byte datagrams a→b:")
        let plan = try TopologyPlan.make(runID: "\(runTag)-l", hosts: ["a", "b"], network: .defaultTestbed)
        let registration = try BenchTestbed.register(plan)
        defer { BenchTestbed.release(registration) }
        let topology = try Topology.build(plan)
        defer { try? topology.teardown() }
        let fault = Fault(name: "bench", at: .zero, kind: .link(LinkFault(
            pairs: [DirectedPair(from: "a", to: "b")], delay: .milliseconds(50), engine: .userspace)))
        print("  rate (pps) | path    | achieved pps | received/sent | one-way p50 | lateness p50 / p99 (end to end) | in-engine p50 / p99 | CPU (process)")
        var port: UInt16 = 7400
        for rate in [1000.0, 10_000, 50_000, 100_000, 150_000] {
            port += 1
            let plain = try blast(topology, rate: rate, seconds: 1, port: port)
            let base = percentile(plain.oneWay, 0.5)
            let effect = try FaultEngine.make(fault: fault, topology: topology) as! LinkEffect
            try effect.apply()
            let delayed = try blast(topology, rate: rate, seconds: 1, port: port)
            try effect.heal()
            let stats = effect.lastStatistics
            let late = delayed.oneWay.map { $0 - 50 - base }
            func row(_ label: String, _ f: Figures, _ lateness: String, _ engine: String) -> String {
                "  \(pad(String(Int(rate)), 10)) | \(pad(label, 7)) | \(pad(String(Int(f.achievedRate)), 12)) | \(pad("\(f.received)/\(f.sent)", 13)) | \(pad(format(percentile(f.oneWay, 0.5)) + " ms", 11)) | \(pad(lateness, 31)) | \(pad(engine, 19)) | \(format(f.cpuPercent, 0)) %"
            }
            print(row("plain", plain, "-", "-"))
            let engine = stats.map { "\($0.latenessMicroseconds(quantile: 0.5)) / \($0.latenessMicroseconds(quantile: 0.99)) µs" } ?? "-"
            print(row("delayed", delayed, "\(format(percentile(late, 0.5))) / \(format(percentile(late, 0.99))) ms", engine))
        }
        print("  lateness = one-way − 50 ms − plain median; in-engine = verdict time − due time; unintended drops = sent − received.")
        print("  CPU is the whole bench process (sender, receiver and engine threads) as % of one core; the engine's")
        print("  share is the delayed row minus the plain row.")
        print("")
    }
}

/// The reader thread's samples, read after it signalled it is done.
final class DelayBox: Sendable {
    let values = Mutex<[Double]>([])
}

/// A flag set once by one thread and read by another.
final class ManagedAtomicFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
