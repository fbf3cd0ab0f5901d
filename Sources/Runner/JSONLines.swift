import Foundation
import RunHistory

/// `--json`: one JSON object per line on stdout, written whole so lines never interleave.
///
/// Events are encoded and written on one serial queue, off the history's lock (recording a
/// packet must not wait for stdout); ``drain()`` waits for what is queued.
public enum JSONLines {
    private static let queue = DispatchQueue(label: "faultline.json-lines")

    /// Queues a history event in its `history.jsonl` form.
    public static func print(_ event: Event) {
        queue.async {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(event) { write(data) }
        }
    }

    /// Queues a dictionary of plain JSON values (strings, numbers, booleans).
    public static func print(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        queue.async { write(data) }
    }

    /// Waits until every queued line is written.
    public static func drain() { queue.sync {} }

    private static func write(_ data: Data) {
        var line = data
        line.append(0x0A)
        FileHandle.standardOutput.write(line)
    }
}
