/// A libpcap call failed; names the operation, the device and the namespace, with libpcap's text.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var object: String
    public var message: String

    public init(_ operation: String, _ object: String, _ message: String) {
        self.operation = operation
        self.object = object
        self.message = message
    }

    public var description: String { "\(operation) \(object): \(message)" }
}
