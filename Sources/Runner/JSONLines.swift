import Foundation
import RunHistory

/// `--json`: one JSON object per line on stdout, written whole so lines never interleave.
public enum JSONLines {
    private static let lock = NSLock()

    /// Writes a history event in its `history.jsonl` form.
    public static func print(_ event: Event) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(event) else { return }
        write(data)
    }

    /// Writes a dictionary of plain JSON values (strings, numbers, booleans).
    public static func print(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(data)
    }

    private static func write(_ data: Data) {
        var line = data
        line.append(0x0A)
        lock.lock()
        FileHandle.standardOutput.write(line)
        lock.unlock()
    }
}
