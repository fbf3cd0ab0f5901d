/// A report could not be written; names the operation, the file and the system's reason.
public struct ReportWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var reason: String

    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    /// `renaming /r/.report.json.tmp-1a2b to /r/report.json: Permission denied`
    public var description: String { "\(operation) \(path): \(reason)" }
}
