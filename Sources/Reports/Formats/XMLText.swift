/// Escaping for text placed in XML and HTML: in element content and in double-quoted attributes.
public enum XMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities; control characters XML 1.0 forbids (everything
    /// below U+0020 except tab, newline and return) become U+FFFD, so a process that printed
    /// binary cannot make the file unreadable.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
