/// The machine the run happened on.
public struct MachineFacts: Codable, Sendable, Equatable {
    /// The kernel release (`uname -r`), e.g. `6.8.0-45-generic`.
    public var kernel: String
    /// What the runner probed and chose: `"netem": "available"`, `"CAP_NET_ADMIN": "yes"`, ….
    public var capabilities: [String: String]

    public init(kernel: String, capabilities: [String: String] = [:]) {
        self.kernel = kernel
        self.capabilities = capabilities
    }
}
