import CNetlink

/// A failed libnl call, naming what was being done, to what, and in which namespace:
/// `adding FIB rule from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100 in namespace
/// fl-3a9c-router: Object exists (libnl: NLE_EXIST)`.
public struct NetlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, to what, and where.
    public var request: NetlinkRequest
    /// The libnl result, a negative `NLE_*` code.
    public var code: Int32

    public init(_ request: NetlinkRequest, code: Int32) {
        self.request = request
        self.code = code < 0 ? code : -code
    }

    /// What was being done: ``NetlinkOperation/addRule`` reads "adding FIB rule".
    public var operation: NetlinkOperation { request.operation }
    /// What it was done to, in `ip`'s words: "from 198.18.0.2/32 to 198.18.0.3/32 blackhole".
    public var object: String { request.object }
    /// The namespace the socket lives in.
    public var namespace: String { request.namespace }

    /// libnl's own text for the code (`nl_geterror`).
    public var message: String { String(cString: nl_geterror(code)) }

    /// The symbolic `NLE_*` name, so a message can be searched for.
    public var codeName: String { Self.name(of: code) }

    public var description: String {
        "\(operation) \(object) in namespace \(namespace): \(message) (libnl: \(codeName))"
    }

    /// Whether the kernel said the object already exists (`EEXIST`).
    public var isAlreadyExists: Bool { code == -Int32(NLE_EXIST) }
    /// Whether the kernel said the object is not there (`ENOENT`, `ESRCH`, `ENODEV`).
    public var isNotFound: Bool { code == -Int32(NLE_OBJ_NOTFOUND) || code == -Int32(NLE_NODEV) }

    private static let names: [String] = [
        "NLE_SUCCESS", "NLE_FAILURE", "NLE_INTR", "NLE_BAD_SOCK", "NLE_AGAIN", "NLE_NOMEM", "NLE_EXIST",
        "NLE_INVAL", "NLE_RANGE", "NLE_MSGSIZE", "NLE_OPNOTSUPP", "NLE_AF_NOSUPPORT", "NLE_OBJ_NOTFOUND",
        "NLE_NOATTR", "NLE_MISSING_ATTR", "NLE_AF_MISMATCH", "NLE_SEQ_MISMATCH", "NLE_MSG_OVERFLOW",
        "NLE_MSG_TRUNC", "NLE_NOADDR", "NLE_SRCRT_NOSUPPORT", "NLE_MSG_TOOSHORT", "NLE_MSGTYPE_NOSUPPORT",
        "NLE_OBJ_MISMATCH", "NLE_NOCACHE", "NLE_BUSY", "NLE_PROTO_MISMATCH", "NLE_NOACCESS", "NLE_PERM",
        "NLE_PKTLOC_FILE", "NLE_PARSE_ERR", "NLE_NODEV", "NLE_IMMUTABLE", "NLE_DUMP_INTR", "NLE_ATTRSIZE",
    ]

    /// The `NLE_*` name of a libnl code (sign ignored).
    public static func name(of code: Int32) -> String {
        let n = Int(code.magnitude)
        return n < names.count ? names[n] : "NLE \(n)"
    }
}
