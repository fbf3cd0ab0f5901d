import Foundation
import Glibc

/// Writes a file so a reader sees either the old one or the whole new one, even after a crash.
///
/// Equivalent to: write `.<name>.tmp-<random>` in the same directory, `fsync` it, `rename(2)` it
/// over `<name>`, then `fsync` the directory so the rename itself is durable.
/// Throws ``ReportWriteError``.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent().path
        let temp = directory + "/.\(url.lastPathComponent).tmp-\(UInt32.random(in: 0...UInt32.max))"
        let path = url.path

        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("creating", temp) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temp) }
        }

        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing", temp)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw failure("syncing", temp) }
        closed = true
        guard close(fd) == 0 else { throw failure("closing", temp) }
        guard rename(temp, path) == 0 else { throw failure("renaming \(temp) to", path) }
        renamed = true

        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw failure("opening", directory) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw failure("syncing", directory) }
    }

    /// The error for the call that just failed, with `errno`'s message.
    private static func failure(_ operation: String, _ path: String) -> ReportWriteError {
        ReportWriteError(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }
}
