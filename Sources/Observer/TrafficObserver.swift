import LinuxSystem
import CPcap
import FaultlineCore
import Foundation
import Glibc
import RunHistory
import ScenarioFormat
import Synchronization
import Testbed

/// Captures every packet that crosses the testbed's router and records what it means in the
/// history: TCP connection steps, HTTP exchanges, UDP flows, DNS queries and answers, stamped with the packet's capture time, and
/// the capture's own counters (``CaptureStats``) every second and at the end.
///
/// The capture is opened on the router's ``NamespaceThread`` (so its packet socket belongs to the
/// router's namespace) on the `any` device, keeping only packets coming *in* to the router: a
/// forwarded packet is then seen once, on the sender's link, even when a fault drops it there.
/// It runs on a thread of its own, never on the Swift-concurrency pool, and streams: memory is
/// bounded by the tracker's table and the capture buffer however long the run.
public final class TrafficObserver: Sendable {
    public struct Configuration: Sendable {
        /// Bytes kept of each packet. Whole packets: with segmentation offload a veth hands the
        /// router segments of up to 64 KB, and pipelined requests inside one must all be read
        /// (an 8 KB snapshot lost most of an HTTP flood's requests). libpcap's maximum.
        public var snapshotLength: Int32 = 262_144
        /// The kernel ring's size: room for bursts while the thread is busy.
        public var bufferBytes: Int32 = 64 << 20
        /// How often ``CaptureStats`` are recorded (and the capture file flushed).
        public var statsInterval: Duration = .seconds(1)
        /// Set false to count packets without parsing them (the benchmark's reference).
        public var analyze = true
        public init() {}
    }

    /// Figures of a finished capture, for the benchmark and the report.
    public struct Summary: Sendable {
        public var stats: CaptureStats
        public var counters: TrafficAnalyzer.Counters
        /// CPU time the capture thread used.
        public var cpuTime: Duration
    }

    private let topology: Topology
    private let history: History
    private let runClock: RunClock
    private let captureFile: URL?
    private let configuration: Configuration
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    /// The capture thread's life: asked to stop, running, and how it ended.
    private struct State {
        var stopRequested = false
        var running = false
        var summary: Summary?
        var failure: Error?
    }

    /// - Parameter captureFile: where to write the pcap file (`capture.pcap`), or nil for none.
    public init(
        topology: Topology, history: History, clock: RunClock, captureFile: URL?, configuration: Configuration = Configuration()
    ) {
        self.topology = topology
        self.history = history
        self.runClock = clock
        self.captureFile = captureFile
        self.configuration = configuration
    }

    /// Opens the capture in the router's namespace and starts the capture thread.
    public func start() throws {
        let router = topology.routerThread
        let configuration = configuration
        let handle = try router.run {
            try PcapHandle(
                device: "any", namespace: router.namespace.name, snapshotLength: configuration.snapshotLength,
                bufferBytes: configuration.bufferBytes, filter: "inbound or (outbound and ip[8] == 255)")
        }
        let dump = try captureFile.map { try handle.openDump(path: $0.path) }
        var names: [UInt32: String] = [:]
        for host in topology.plan.hosts { names[host.address.value] = host.host }
        names[topology.routerAddress.value] = "router"
        let loop = HandOff(CaptureLoop(
            handle: handle, dump: dump, names: names, history: history, runClock: runClock,
            configuration: configuration, shouldStop: { [weak self] in self?.isStopping ?? true }))
        state.withLock { $0.running = true }
        let thread = Thread { [self] in
            if let loop = loop.take() {
                let result = Result { try loop.run() }
                state.withLock { state in
                    switch result {
                    case .success(let s): state.summary = s
                    case .failure(let e): state.failure = e
                    }
                }
            }
            finished.signal()
        }
        thread.name = "traffic-observer"
        thread.start()
    }

    private var isStopping: Bool { state.withLock { $0.stopRequested } }

    /// Stops the capture: packets already captured are read, the last stats recorded and the
    /// capture file closed. Returns the capture's figures; idempotent (later calls return the same).
    @discardableResult
    public func stop() throws -> Summary? {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.stopRequested = true; state.running = false }
            return state.running
        }
        if wasRunning { finished.wait() }
        return try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.summary
        }
    }
}
