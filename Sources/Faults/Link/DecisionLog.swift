import Foundation
import Glibc

/// A compact, line-per-packet record of the userspace engine's decisions for one directed pair,
/// written beside the report: `n id delay_us flags` (tab-separated), where `n` counts the pair's
/// packets from 0, `id` is the kernel's NFQUEUE packet id, `delay_us` the hold time (`-` when
/// dropped) and `flags` any of `d` dropped, `u` duplicated, `c` corrupted, `r` reordered, `p`
/// passed unparsed, or `-`. Two runs with the same seed and traffic give the same `n`/flags columns.
final class DecisionLog {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var count = 0

    init(url: URL, header: String) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FaultError(.toolFailed(command: "creating \(url.path)", status: errno, standardError: String(cString: strerror(errno)))) }
        buffer.reserveCapacity(1 << 17)
        buffer += Array("# \(header)\n# n\tid\tdelay_us\tflags\n".utf8)
    }

    deinit {
        flush()
        close(fd)
    }

    func record(id: UInt32, decision: PacketDecision?) {
        append(count)
        buffer.append(9)
        append(Int(id))
        buffer.append(9)
        guard let d = decision else {
            buffer += [UInt8(ascii: "-"), 9, UInt8(ascii: "p"), 10]
            count += 1
            return
        }
        if d.drop { buffer.append(UInt8(ascii: "-")) } else { append(Int(d.delay / 1000)) }
        buffer.append(9)
        let start = buffer.count
        if d.drop { buffer.append(UInt8(ascii: "d")) }
        if d.duplicate { buffer.append(UInt8(ascii: "u")) }
        if d.corruptBit != nil { buffer.append(UInt8(ascii: "c")) }
        if d.reordered { buffer.append(UInt8(ascii: "r")) }
        if buffer.count == start { buffer.append(UInt8(ascii: "-")) }
        buffer.append(10)
        count += 1
        if buffer.count > 1 << 16 { flush() }
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func append(_ value: Int) {
        if value == 0 { buffer.append(UInt8(ascii: "0")); return }
        var v = value, digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 && n < 20 { d[n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }
}
