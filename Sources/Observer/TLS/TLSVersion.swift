/// TLS's names for its protocol versions and alert codes, as reports print them.
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

/// An alert's description (RFC 8446 §6, RFC 5246 §7.2).
enum TLSAlertDescription {
    static let names: [UInt8: String] = [
        0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed", 22: "record_overflow",
        30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate", 42: "bad_certificate",
        43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
        47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error", 51: "decrypt_error",
        70: "protocol_version", 71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
        90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
        112: "unrecognized_name", 113: "bad_certificate_status_response", 115: "unknown_psk_identity",
        116: "certificate_required", 120: "no_application_protocol",
    ]

    /// `bad_certificate (42)`.
    static func text(_ code: UInt8) -> String { "\(names[code] ?? "alert") (\(code))" }
}
