/// The machine the run happened on.
public struct MachineFacts: Codable, Sendable, Equatable {
    /// The kernel release (`uname -r`), e.g. `6.8.0-45-generic`.
    public var kernel: String
    /// What the runner probed and chose: `"netem": "available"`, `"CAP_NET_ADMIN": "yes"`, ….
    public var capabilities: [String: String]
    /// The guest kernel the run was judged in (`user-mode Linux 6.1.176`, from
    /// `faultline run --kernel guest`); nil for the machine's own kernel.
    public var guest: String?

    public init(kernel: String, capabilities: [String: String] = [:], guest: String? = nil) {
        self.kernel = kernel
        self.capabilities = capabilities
        self.guest = guest
    }

    /// The kernel as reports name it: `6.8.0-45-generic`, or `6.1.176 (guest kernel: user-mode Linux 6.1.176)`.
    public var kernelDescription: String {
        guard let guest else { return kernel }
        return "\(kernel) (guest kernel: \(guest))"
    }
}
