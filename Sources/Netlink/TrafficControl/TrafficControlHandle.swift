/// A tc handle `MAJOR:MINOR` (qdiscs are `MAJOR:`, classes `MAJOR:MINOR`).
public struct TrafficControlHandle: Hashable, Sendable, CustomStringConvertible {
    public var major: UInt16
    public var minor: UInt16

    public init(_ major: UInt16, _ minor: UInt16 = 0) {
        self.major = major
        self.minor = minor
    }

    /// `TC_H_ROOT`: the device's root.
    public static let root = TrafficControlHandle(0xFFFF, 0xFFFF)

    /// The kernel's 32-bit form (`TC_H_MAKE`, a macro that does not import).
    public var value: UInt32 { UInt32(major) << 16 | UInt32(minor) }

    public var description: String {
        if self == .root { return "root" }
        let ma = String(major, radix: 16)
        return minor == 0 ? "\(ma):" : "\(ma):\(String(minor, radix: 16))"
    }
}
