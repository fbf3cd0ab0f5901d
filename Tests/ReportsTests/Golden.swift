import Foundation
import Testing

/// Golden files in `Tests/ReportsTests/Golden/`. Set FAULTLINE_UPDATE_GOLDEN=1 to rewrite them
/// from the current output (then review the diff).
enum Golden {
    static func url(_ name: String, filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(name)
    }

    static func expectMatches(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = url(name)
        if ProcessInfo.processInfo.environment["FAULTLINE_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(text == golden, "differs from Golden/\(name); FAULTLINE_UPDATE_GOLDEN=1 rewrites it", sourceLocation: sourceLocation)
    }
}
