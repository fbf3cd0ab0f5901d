import LinuxSystem
/// A veth pair: two linked Ethernet devices, one of which may start life in another namespace.
///
/// Equivalent to: `ip -n NS link add NAME up type veth peer name PEER netns PEER_NS`.
public struct VethPair: Hashable, Sendable, CustomStringConvertible {
    /// The end that stays in the namespace the request is sent to (≤ 15 bytes).
    public var name: String
    /// The other end (≤ 15 bytes).
    public var peerName: String
    /// Where the peer end lives; nil keeps it beside `name`.
    public var peerNamespace: NetworkNamespace?
    /// Bring the near end up as it is created, which saves a request. The peer cannot be: the
    /// kernel configures it before the two ends are joined, and opening an unjoined veth fails
    /// with ENOTCONN; bring it up afterwards in its own namespace.
    public var up: Bool

    public init(name: String, peerName: String, peerNamespace: NetworkNamespace? = nil, up: Bool = true) {
        self.name = name
        self.peerName = peerName
        self.peerNamespace = peerNamespace
        self.up = up
    }

    /// The arguments after `ip -n NS`.
    public var description: String {
        let state = up ? " up" : ""
        let netns = peerNamespace.map { " netns \($0.name)" } ?? ""
        return "link add \(name)\(state) type veth peer name \(peerName)\(netns)"
    }
}
