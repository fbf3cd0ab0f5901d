import CNFTables
import Dispatch
import RunHistory
import Glibc
import LinuxSystem
import Netlink
import Synchronization
import Testbed

/// The netfilter seam on nf_tables, in-process: libnftnl builds the rules and libmnl sends them
/// over a NETLINK_NETFILTER socket opened inside the namespace, one transaction per call. No
/// process is spawned, so a rule toggles in tens of microseconds, against milliseconds for
/// spawning `iptables`.
///
/// Rules live in a table of Faultline's own, `ip faultline`, with the base chains `forward` and
/// `output` (priority 0, policy accept), made when the first rule is added and gone with the
/// namespace. An ``IPTablesRule``'s `-m multiport --ports` becomes one rule per port and
/// direction. The kernel returns each rule's handle, kept here by namespace and rule, which is
/// how a rule is deleted.
///
/// Kernels whose nf_tables lacks the IPv4 family (the guest kernel) are told by ``available(on:)``;
/// there x_tables through ``SpawningIPTables`` stays.
public struct NFTablesNetfilter: Netfilter {
    private let thread: @Sendable (NetworkNamespace) -> NamespaceThread?

    /// The handles of the rules added, by namespace and rule: one entry per insert (two faults may
    /// add the same rule, and each heal removes its own), each one or more nf_tables rules.
    private static let installed = Mutex<[Key: [[Installed]]]>([:])

    private struct Key: Hashable {
        var namespace: String
        var rule: IPTablesRule
    }

    private struct Installed {
        var chain: Int32
        var handle: UInt64
    }

    public init(thread: @escaping @Sendable (NetworkNamespace) -> NamespaceThread?) {
        self.thread = thread
    }

    /// Uses the topology's threads.
    public init(topology: Topology) {
        self.init { [weak topology] in topology?.thread(in: $0) }
    }

    /// Whether nf_tables serves IPv4 in `thread`'s namespace (it creates the empty table to know);
    /// nil when it does, else why not.
    public static func unavailableReason(on thread: NamespaceThread) -> String? {
        do {
            let status = try thread.run { () -> Int32 in
                guard let socket = fl_nft_open() else { return -errno }
                defer { fl_nft_close(socket) }
                return fl_nft_probe(socket)
            }
            return status == 0 ? nil : "nf_tables refused an IPv4 table: \(String(cString: strerror(-status)))"
        } catch {
            return "\(error)"
        }
    }

    /// The rules in Faultline's table in `thread`'s namespace, counted from the kernel (not from
    /// what this process remembers): 0 when there is no table.
    public static func ruleCount(on thread: NamespaceThread) throws -> Int {
        let count = try thread.run { () -> Int32 in
            guard let socket = fl_nft_open() else { return -errno }
            defer { fl_nft_close(socket) }
            return fl_nft_rule_count(socket)
        }
        guard count >= 0 else { throw SystemCallError("listing the rules of table ip faultline", "nf_tables", errno: -count) }
        return Int(count)
    }

    public func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        try insert([rule], in: namespace)
    }

    /// Every rule in one transaction: all or none.
    public func insert(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        guard !rules.isEmpty else { return }
        let specs = rules.map(Self.specs)
        var flat = specs.flatMap { $0 }
        var handles = [UInt64](repeating: 0, count: flat.count)
        let status = try run(in: namespace) { socket in
            fl_nft_add(socket, &flat, Int32(flat.count), &handles)
        }
        guard status == 0 else {
            throw SystemCallError("adding nf_tables rules (\(rules.map(\.nftDescription).joined(separator: "; ")))",
                                  "namespace \(namespace.name)", errno: -status)
        }
        var next = 0
        Self.installed.withLock { installed in
            for (rule, parts) in zip(rules, specs) {
                let mine = parts.indices.map { Installed(chain: parts[$0].chain, handle: handles[next + $0]) }
                next += parts.count
                installed[Key(namespace: namespace.name, rule: rule), default: []].append(mine)
            }
        }
    }

    public func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        try delete([rule], in: namespace)
    }

    /// Every rule in one transaction; rules that are not there (never added, or already deleted)
    /// are not an error.
    public func delete(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        let gone = Self.installed.withLock { installed in
            rules.flatMap { rule -> [Installed] in
                let key = Key(namespace: namespace.name, rule: rule)
                guard var copies = installed[key], !copies.isEmpty else { return [] }
                let one = copies.removeLast()
                installed[key] = copies.isEmpty ? nil : copies
                return one
            }
        }
        guard !gone.isEmpty else { return }
        var chains = gone.map(\.chain)
        var handles = gone.map(\.handle)
        let status = try run(in: namespace) { socket in
            fl_nft_delete(socket, &chains, &handles, Int32(gone.count))
        }
        guard status == 0 else {
            throw SystemCallError("deleting nf_tables rules (\(rules.map(\.nftDescription).joined(separator: "; ")))",
                                  "namespace \(namespace.name)", errno: -status)
        }
    }

    /// Runs `body` on the namespace's thread with the namespace's socket, opened there on first use.
    private func run(in namespace: NetworkNamespace, _ body: (UnsafeMutableRawPointer) -> Int32) throws -> Int32 {
        guard let thread = thread(namespace) else { throw FaultError(.namespaceNotInTopology(namespace.name)) }
        return try thread.run {
            let socket = try Self.sockets.take(for: namespace)
            defer { Self.sockets.give(back: socket, for: namespace) }
            return body(socket)
        }
    }

    /// One socket per namespace, kept between calls. Closing a NETLINK_NETFILTER socket waits for
    /// an RCU grace period in the kernel (7–15 ms measured here, and a commit made meanwhile waits
    /// too), which opening and closing one per toggle made most of its time. A socket idle for a
    /// second is closed on a queue of its own, so a torn-down namespace is not held for longer.
    private static let sockets = SocketCache()

    final class SocketCache: Sendable {
        private struct Entry {
            var socket: UInt
            /// The namespace file's inode: a namespace made again under the same name gets a new socket.
            var inode: UInt64
            var busy: Bool
            var lastUse: UInt64
        }
        private let entries = Mutex<[String: Entry]>([:])
        private let closer = DispatchQueue(label: "faultline.nftables.close")
        private static let idle: UInt64 = 1_000_000_000

        private static func inode(_ namespace: NetworkNamespace) -> UInt64 {
            var st = stat()
            return stat(namespace.path, &st) == 0 ? UInt64(st.st_ino) : 0
        }

        /// The namespace's socket, marked busy; called on the namespace's thread.
        func take(for namespace: NetworkNamespace) throws -> UnsafeMutableRawPointer {
            let inode = Self.inode(namespace)
            let cached = entries.withLock { entries -> UInt? in
                guard var e = entries[namespace.name], e.inode == inode, !e.busy else { return nil }
                e.busy = true
                entries[namespace.name] = e
                return e.socket
            }
            if let cached { return UnsafeMutableRawPointer(bitPattern: cached)! }
            guard let socket = fl_nft_open() else {
                throw SystemCallError("opening a NETLINK_NETFILTER socket", "namespace \(namespace.name)")
            }
            let stale = entries.withLock { entries -> UInt? in
                defer {
                    entries[namespace.name] = Entry(socket: UInt(bitPattern: socket), inode: inode, busy: true, lastUse: RunClock.monotonicNow())
                }
                return entries[namespace.name].flatMap { $0.busy ? nil : $0.socket }
            }
            if let stale { closer.async { fl_nft_close(UnsafeMutableRawPointer(bitPattern: stale)) } }
            return socket
        }

        /// Returns the socket for later calls, and closes it once it has been idle for a second.
        func give(back socket: UnsafeMutableRawPointer, for namespace: NetworkNamespace) {
            let handle = UInt(bitPattern: socket)
            let kept = entries.withLock { entries -> Bool in
                guard var e = entries[namespace.name], e.socket == handle else { return false }
                e.busy = false
                e.lastUse = RunClock.monotonicNow()
                entries[namespace.name] = e
                return true
            }
            guard kept else {
                closer.async { fl_nft_close(UnsafeMutableRawPointer(bitPattern: handle)) }
                return
            }
            closer.asyncAfter(deadline: .now() + .milliseconds(1100)) { [self] in
                let idle = entries.withLock { entries -> Bool in
                    guard let e = entries[namespace.name], e.socket == handle, !e.busy,
                          RunClock.monotonicNow() - e.lastUse >= Self.idle else { return false }
                    entries[namespace.name] = nil
                    return true
                }
                if idle { fl_nft_close(UnsafeMutableRawPointer(bitPattern: handle)) }
            }
        }
    }

    /// The nf_tables rules one iptables rule is: one, or one per port and direction.
    static func specs(_ rule: IPTablesRule) -> [fl_nft_rule] {
        var base = fl_nft_rule()
        base.chain = rule.chain == "OUTPUT" ? Int32(FL_NFT_OUTPUT) : Int32(FL_NFT_FORWARD)
        if let source = rule.source {
            base.has_source = 1
            base.source = source.address
            base.source_length = source.length
        }
        base.destination = rule.destination.address
        base.destination_length = rule.destination.length
        base.l4proto = rule.transport.flatMap { IPTablesRule.protocolNumbers[$0] } ?? 0
        base.append = rule.addVerb == .append ? 1 : 0
        switch rule.target {
        case .reject(let with):
            base.verdict = UInt8(FL_NFT_REJECT)
            switch with {
            case .icmpHostUnreachable: (base.reject_type, base.reject_code) = (UInt8(FL_NFT_REJECT_ICMP), UInt8(FL_NFT_ICMP_HOST_UNREACHABLE))
            case .icmpPortUnreachable: (base.reject_type, base.reject_code) = (UInt8(FL_NFT_REJECT_ICMP), UInt8(FL_NFT_ICMP_PORT_UNREACHABLE))
            case .tcpReset: (base.reject_type, base.reject_code) = (UInt8(FL_NFT_REJECT_TCP_RESET), 0)
            }
        case .queue(let number):
            base.verdict = UInt8(FL_NFT_QUEUE)
            base.queue_number = number
        }
        guard !rule.ports.isEmpty else { return [base] }
        return rule.ports.flatMap { port in
            [UInt8(FL_NFT_SOURCE_PORT), UInt8(FL_NFT_DESTINATION_PORT)].map { field in
                var spec = base
                spec.port_field = field
                spec.port = port
                return spec
            }
        }
    }
}

extension IPTablesRule {
    /// IP protocol numbers of the `-p` names rules use.
    static let protocolNumbers: [String: UInt8] = ["icmp": 1, "tcp": 6, "udp": 17]

    /// The rule as `nft` writes it: `insert rule ip faultline forward ip saddr 198.18.0.3/32 ip daddr
    /// 198.18.0.2/32 meta l4proto tcp reject with tcp reset`.
    public var nftDescription: String {
        var words = [addVerb == .append ? "add" : "insert", "rule", "ip", "faultline", chain == "OUTPUT" ? "output" : "forward"]
        if let source { words += ["ip", "saddr", source.description] }
        words += ["ip", "daddr", destination.description]
        if let transport { words += ["meta", "l4proto", transport] }
        if !ports.isEmpty { words += ["th", "sport|dport", "{ " + ports.map(String.init).joined(separator: ", ") + " }"] }
        switch target {
        case .reject(.icmpHostUnreachable): words += ["reject", "with", "icmp", "host-unreachable"]
        case .reject(.icmpPortUnreachable): words += ["reject", "with", "icmp", "port-unreachable"]
        case .reject(.tcpReset): words += ["reject", "with", "tcp", "reset"]
        case .queue(let n): words += ["queue", "num", "\(n)", "bypass"]
        }
        return words.joined(separator: " ")
    }
}

/// The netfilter engine a run uses: nf_tables in-process where the kernel's nf_tables has IPv4,
/// else `iptables-legacy` spawned (x_tables, the guest kernel). Probed once per process, in the
/// first namespace asked about, since the kernel is the same for all.
public enum NetfilterChoice {
    private static let probed = Mutex<String??>(nil)

    /// Why nf_tables cannot be used here (nil when it can), probed from `thread`'s namespace.
    public static func nftablesProblem(on thread: NamespaceThread) -> String? {
        if let known = probed.withLock({ $0 }) { return known }
        let problem = NFTablesNetfilter.unavailableReason(on: thread)
        probed.withLock { $0 = .some(problem) }
        return problem
    }

    /// The engine for `topology`'s namespaces.
    public static func netfilter(for topology: Topology) -> any Netfilter {
        nftablesProblem(on: topology.routerThread) == nil
            ? NFTablesNetfilter(topology: topology) : SpawningIPTables(topology: topology)
    }

    /// What the engine needs that is missing (`iptables` where nf_tables lacks IPv4), or nil.
    public static func requirementProblem(on thread: NamespaceThread) -> (any Error)? {
        guard nftablesProblem(on: thread) != nil else { return nil }
        do {
            _ = try SpawningIPTables.executable(on: thread)
            return nil
        } catch {
            return error
        }
    }
}
