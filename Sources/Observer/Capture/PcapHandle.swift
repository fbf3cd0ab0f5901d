import CPcap
import Glibc

/// A live libpcap capture: the one file that calls `pcap_*`.
///
/// Opened on a namespace's thread, its packet socket belongs to that namespace for its whole life
/// and can then be read from any thread. Equivalent to:
/// `tcpdump -i any -B BUFFER --time-stamp-precision=nano -s SNAPLEN inbound` (10 ms block timeout).
final class PcapHandle {
    private let handle: OpaquePointer
    let device: String
    /// The frames' `DLT_*` link type.
    let linkType: Int32

    /// Creates, configures and activates the capture, then installs `filter` in the kernel.
    init(device: String, namespace: String, snapshotLength: Int32, bufferBytes: Int32, filter: String) throws {
        let object = "\(device) in namespace \(namespace)"
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_create(device, &errorBuffer) else {
            throw CaptureError("creating capture on", object, String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        handle = h
        self.device = device
        func check(_ result: Int32, _ operation: String) throws {
            if result != 0 {
                let text = String(cString: pcap_geterr(h))
                throw CaptureError(operation, object, text.isEmpty ? String(cString: pcap_statustostr(result)) : text)
            }
        }
        do {
            try check(pcap_set_snaplen(h, snapshotLength), "setting snapshot length on")
            // Not immediate mode: libpcap then uses TPACKET_V3, whose ring packs packets by their
            // real length. Immediate mode falls back to TPACKET_V2's fixed frames of the snapshot
            // length: with whole-packet snapshots (256 KB) a 64 MB ring held 256 packets and
            // dropped at 25k pps. Timestamps are the kernel's either way; the 10 ms block timeout
            // only bounds how late packets reach the history.
            try check(pcap_set_timeout(h, 10), "setting the read timeout on")
            try check(pcap_set_buffer_size(h, bufferBytes), "setting buffer size on")
            // Kernel (host) timestamps at nanosecond precision; both are only preferences.
            _ = pcap_set_tstamp_type(h, PCAP_TSTAMP_HOST)
            _ = pcap_set_tstamp_precision(h, Int32(PCAP_TSTAMP_PRECISION_NANO))
            let activated = pcap_activate(h)
            if activated < 0 { try check(activated, "activating capture on") }
            linkType = pcap_datalink(h)
            var program = bpf_program()
            try check(pcap_compile(h, &program, filter, 1, PCAP_NETMASK_UNKNOWN), "compiling filter \"\(filter)\" for")
            defer { pcap_freecode(&program) }
            try check(pcap_setfilter(h, &program), "installing filter \"\(filter)\" on")
            try check(pcap_setnonblock(h, 1, &errorBuffer), "making capture non-blocking on")
        } catch {
            pcap_close(h)
            throw error
        }
    }

    deinit { pcap_close(handle) }

    /// Whether timestamps are nanoseconds (else microseconds).
    var nanosecondTimestamps: Bool { pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO) }

    /// The descriptor to poll for readable packets.
    var selectableDescriptor: Int32 { pcap_get_selectable_fd(handle) }

    /// Hands every packet waiting now (up to `limit`) to `body` with its header and bytes.
    /// Returns how many, or throws on a capture error.
    func dispatch(limit: Int32, _ body: (UnsafePointer<pcap_pkthdr>, UnsafePointer<UInt8>) -> Void) throws -> Int {
        try withoutActuallyEscaping(body) { body in
            let box = DispatchBox(body)
            let context = Unmanaged.passUnretained(box).toOpaque().assumingMemoryBound(to: UInt8.self)
            let n = pcap_dispatch(handle, limit, { user, header, bytes in
                guard let user, let header, let bytes else { return }
                Unmanaged<DispatchBox>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue().body(header, bytes)
            }, context)
            if n < 0 { throw CaptureError("reading packets from", device, String(cString: pcap_geterr(handle))) }
            return Int(n)
        }
    }

    /// The kernel's counters (`pcap_stats`): packets received by the filter, dropped for lack of
    /// buffer, dropped by the interface.
    func statistics() -> (received: Int, dropped: Int, interfaceDropped: Int) {
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return (0, 0, 0) }
        return (Int(stats.ps_recv), Int(stats.ps_drop), Int(stats.ps_ifdrop))
    }

    /// Opens a pcap file for this capture's packets (same link type and precision).
    func openDump(path: String) throws -> PcapDumpFile {
        guard let dumper = pcap_dump_open(handle, path) else {
            throw CaptureError("opening capture file", path, String(cString: pcap_geterr(handle)))
        }
        return PcapDumpFile(dumper)
    }
}

/// A pcap file being written (`pcap_dump_*`): buffered, flushed on demand and on close.
final class PcapDumpFile {
    private var dumper: OpaquePointer?

    init(_ dumper: OpaquePointer) { self.dumper = dumper }
    deinit { close() }

    func write(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        guard let dumper else { return }
        pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), header, bytes)
    }

    func flush() { if let dumper { _ = pcap_dump_flush(dumper) } }

    func close() {
        if let dumper { pcap_dump_close(dumper) }
        dumper = nil
    }
}

/// Carries the non-escaping body of one `pcap_dispatch` call through its C context pointer.
private final class DispatchBox {
    let body: (UnsafePointer<pcap_pkthdr>, UnsafePointer<UInt8>) -> Void
    init(_ body: @escaping (UnsafePointer<pcap_pkthdr>, UnsafePointer<UInt8>) -> Void) { self.body = body }
}
