/// One key of the Consul KV stand-in, with Consul's bookkeeping (what `GET /v1/kv/<key>` shows).
public struct KVRecord: Sendable, Equatable, Encodable {
    public var key: String
    /// nil for a key put with an empty body (Consul shows `"Value": null`).
    public var value: [UInt8]?
    public var flags: UInt64
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var lockIndex: UInt64 = 0

    enum CodingKeys: String, CodingKey {
        case key = "Key", value = "Value", flags = "Flags", createIndex = "CreateIndex"
        case modifyIndex = "ModifyIndex", lockIndex = "LockIndex"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lockIndex, forKey: .lockIndex)
        try c.encode(key, forKey: .key)
        try c.encode(flags, forKey: .flags)
        // Consul carries values base64-encoded in JSON.
        if let value, !value.isEmpty {
            try c.encode(value.base64, forKey: .value)
        } else {
            try c.encodeNil(forKey: .value)
        }
        try c.encode(createIndex, forKey: .createIndex)
        try c.encode(modifyIndex, forKey: .modifyIndex)
    }
}

extension Array where Element == UInt8 {
    /// Standard base64 with padding, as Go's `encoding/base64.StdEncoding` writes it.
    var base64: String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((count + 2) / 3 * 4)
        var i = 0
        while i < count {
            let b0 = self[i], b1 = i + 1 < count ? self[i + 1] : 0, b2 = i + 2 < count ? self[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < count ? table[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < count ? table[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
