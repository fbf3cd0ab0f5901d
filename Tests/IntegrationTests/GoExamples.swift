import Foundation
import LinuxSystem

/// The Go clients in examples/clients/go, built offline for a test: GOPATH mode, libraries from
/// Debian's gocode tree (scripts/setup.sh installs Go and them).
enum GoExamples {
    static let available = ExternalCommand.locate("go") != nil

    /// Builds examples/clients/go/`name` into a new folder; its binary's path, or the build's errors.
    static func build(_ name: String) throws -> Result<String, GoBuildError> {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/clients/go/\(name)")
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
