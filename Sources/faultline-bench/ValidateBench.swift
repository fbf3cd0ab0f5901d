import Foundation
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed

/// `faultline validate` speed: reading and validating each scenario in-process, and the whole
/// command as a user runs it (process start included).
func benchValidate(scenarioFolder: String, binary: String?) {
    print("Scenario validation:")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: scenarioFolder)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted().map { "\(scenarioFolder)/\($0)" }
    guard !files.isEmpty else {
        print("  skipped: no scenarios in \(scenarioFolder)")
        return
    }
    let clock = ContinuousClock()
    for file in files {
        var times: [Double] = []
        for _ in 0..<200 {
            let start = clock.now
            _ = ScenarioReader.read(file: file)
            times.append(microseconds(clock.now - start))
        }
        print("  \(pad(URL(fileURLWithPath: file).lastPathComponent, 26)) in-process read+validate: median \(format(percentile(times, 0.5), 0)) µs, p99 \(format(percentile(times, 0.99), 0)) µs")
    }
    guard let binary, FileManager.default.isExecutableFile(atPath: binary) else {
        print("  whole command: skipped (no faultline binary next to faultline-bench)")
        return
    }
    var times: [Double] = []
    for _ in 0..<10 {
        let start = clock.now
        if let child = try? Spawn.start([binary, "validate"] + files, env: ProcessInfo.processInfo.environment, capture: false, discard: true) {
            _ = Spawn.wait(child.pid)
        }
        times.append(milliseconds(clock.now - start))
    }
    print("  `faultline validate` on all \(files.count) files, whole process: median \(format(percentile(times, 0.5), 1)) ms (10 runs)")
}
