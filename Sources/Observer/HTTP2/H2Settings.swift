/// SETTINGS payloads (RFC 9113 §6.5.1: 16-bit identifier, 32-bit value, repeated), as a SETTINGS
/// frame carries them or as the `HTTP2-Settings` header of an `Upgrade: h2c` request does
/// (base64url, no padding: RFC 7540 §3.2.1). Pure.
enum H2Settings {
    static let headerTableSize: UInt16 = 0x1

    /// SETTINGS_HEADER_TABLE_SIZE in `payload`, the last one if repeated; nil if absent.
    static func headerTableSize(_ payload: [UInt8]) -> Int? {
        var size: Int?
        for offset in stride(from: 0, to: payload.count - payload.count % 6, by: 6) {
            let id = UInt16(payload[offset]) << 8 | UInt16(payload[offset + 1])
            if id == headerTableSize {
                size = Int(payload[offset + 2]) << 24 | Int(payload[offset + 3]) << 16 | Int(payload[offset + 4]) << 8 | Int(payload[offset + 5])
            }
        }
        return size
    }

    /// The payload an `HTTP2-Settings` header value encodes; nil if it is not base64url or not
    /// whole settings.
    static func fromUpgradeHeader(_ value: String) -> [UInt8]? {
        var bits = 0
        var count = 0
        var out: [UInt8] = []
        for c in value.utf8 {
            let v: Int
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = Int(c) - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = Int(c) - 97 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(c) - 48 + 52
            case UInt8(ascii: "-"), UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "_"), UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="), UInt8(ascii: " "): continue
            default: return nil
            }
            bits = (bits << 6 | v) & 0xFFFFFF
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(bits >> count & 0xFF))
            }
        }
        return out.count % 6 == 0 ? out : nil
    }
}
