import Foundation
import Reports
import Testing

/// `report.html` in a real browser: headless Chromium (Debian `chromium`, installed by
/// scripts/setup.sh) loads the page from disk with the network off, runs its script and draws it.
@Suite(.enabled(if: Chromium.path != nil, "needs Debian's chromium (scripts/setup.sh installs it)"))
struct HTMLRenderingTests {
    @Test func chromiumRendersThePageWithoutErrorsAndDrawsTheTimeline() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["FAULTLINE_KEEP_SCREENSHOT"] == nil { try? FileManager.default.removeItem(at: dir) }
        }
        let page = dir.appendingPathComponent("report.html")
        try Data(HTMLReportTests.page().utf8).write(to: page)

        let dom = try Chromium.run(["--dump-dom", page.absoluteString + "#win-1"])
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.contains("data-ready=\"yes\""), "the page's script did not finish")
        #expect(!dom.stdout.contains("id=\"fl-error\""), "the page's script reported an error")
        #expect(dom.stdout.components(separatedBy: "class=\"fault-band").count - 1 == 1)
        #expect(dom.stdout.contains("<g class=\"window active\" id=\"win-1\">"), "the linked window is not shown")
        #expect(!dom.stderr.contains("Uncaught"), "\(dom.stderr)")

        let png = dir.appendingPathComponent("report.png")
        let shot = try Chromium.run(["--screenshot=\(png.path)", "--window-size=1300,1500", page.absoluteString])
        #expect(shot.status == 0, "\(shot.stderr)")
        let bytes = try Data(contentsOf: png)
        #expect(bytes.count > 10_000)
        #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        if ProcessInfo.processInfo.environment["FAULTLINE_KEEP_SCREENSHOT"] != nil { print("screenshot: \(png.path)") }
    }
}

/// Headless Chromium, run as a one-shot command.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs Chromium headless with no sandbox (tests run as root), no GPU and no network but
    /// the page's own file, logging console messages to stderr.
    static func run(_ arguments: [String]) throws -> ToolOutput {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(home.path)", "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=2000",
        ] + arguments
        // stderr to a file: Chromium logs a lot, and a pipe nobody drains would stall it.
        let errFile = home.appendingPathExtension("stderr")
        #expect(FileManager.default.createFile(atPath: errFile.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let e = (try? Data(contentsOf: errFile)) ?? Data()
        return ToolOutput(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
