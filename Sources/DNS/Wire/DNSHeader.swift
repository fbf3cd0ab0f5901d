/// The fixed 12-byte header of every DNS message (RFC 1035 §4.1.1).
public struct DNSHeader: Sendable, Equatable {
    public var id: UInt16
    /// The second 16-bit word: QR, opcode, AA, TC, RD, RA, Z, AD, CD and the low 4 rcode bits.
    public var flags: UInt16
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    public static let size = 12

    public init(
        id: UInt16 = 0, flags: UInt16 = 0, questionCount: UInt16 = 0, answerCount: UInt16 = 0,
        authorityCount: UInt16 = 0, additionalCount: UInt16 = 0
    ) {
        self.id = id
        self.flags = flags
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    private func bit(_ n: UInt16) -> Bool { flags & (1 << n) != 0 }
    private mutating func set(_ n: UInt16, _ on: Bool) { flags = on ? flags | (1 << n) : flags & ~(1 << n) }

    /// A response (QR = 1) rather than a query.
    public var isResponse: Bool { get { bit(15) } set { set(15, newValue) } }
    public var opcode: UInt8 {
        get { UInt8(flags >> 11 & 0xF) }
        set { flags = flags & ~(0xF << 11) | UInt16(newValue & 0xF) << 11 }
    }
    public var authoritative: Bool { get { bit(10) } set { set(10, newValue) } }
    public var truncated: Bool { get { bit(9) } set { set(9, newValue) } }
    public var recursionDesired: Bool { get { bit(8) } set { set(8, newValue) } }
    public var recursionAvailable: Bool { get { bit(7) } set { set(7, newValue) } }
    public var checkingDisabled: Bool { get { bit(4) } set { set(4, newValue) } }
    /// The low four bits of the response code (the rest travel in OPT).
    public var rcode: UInt8 {
        get { UInt8(flags & 0xF) }
        set { flags = flags & ~0xF | UInt16(newValue & 0xF) }
    }
}
