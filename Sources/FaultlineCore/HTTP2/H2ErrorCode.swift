/// HTTP/2 error codes (RFC 9113 §7), by the names RST_STREAM and GOAWAY
/// are logged with, by the observer and by the stand-ins alike.
public enum H2ErrorCode {
    public static let names = [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ]

    public static func name(_ code: UInt32) -> String { code < names.count ? names[Int(code)] : "0x" + String(code, radix: 16) }
}
