import Foundation
import LinuxSystem

/// The Go programs in examples (clients/go/…, servers/go/…), built offline for a test: GOPATH mode, libraries from
/// Debian's gocode tree (scripts/setup.sh installs Go and them).
enum GoExamples {
    static let available = ExternalCommand.locate("go") != nil

    /// Builds examples/`path` (`clients/go/tls-get`) into a new folder; its binary's path, or the build's errors.
    static func build(_ path: String) throws -> Result<String, GoBuildError> {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/\(path)")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fl-go-\(UUID().uuidString)")
        let binary = work.appendingPathComponent(name).path
        let build = try ExternalCommand.run("/bin/sh", ["-c", """
            cd \(source.path) && GO111MODULE=off GOPROXY=off GOPATH=/usr/share/gocode GOCACHE=\(work.path)/cache \
              go build -o \(binary) . 1>&2 && rm -rf \(work.path)/cache
            """])
        return build.succeeded ? .success(binary) : .failure(GoBuildError(message: build.standardError))
    }

    struct GoBuildError: Error, CustomStringConvertible {
        var message: String
        var description: String { "go build: \(message)" }
    }
}
