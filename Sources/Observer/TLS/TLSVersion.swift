import FaultlineCore

/// TLS's names for its protocol versions, as reports print them (alerts: `TLSAlertDescription`).
enum TLSVersion {
    static func name(_ v: UInt16) -> String {
        switch v {
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + String(v, radix: 16)
        }
    }

    static let tls13: UInt16 = 0x0304

    /// GREASE values (RFC 8701: 0x0A0A, 0x1A1A … 0xFAFA) are offered to keep servers honest, never chosen.
    static func isGrease(_ v: UInt16) -> Bool { v & 0x0F0F == 0x0A0A && v >> 12 == (v >> 4) & 0x0F }
}
