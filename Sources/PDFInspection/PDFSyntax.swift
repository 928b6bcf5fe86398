/// A direct PDF object as far as the structure checks need one (ISO 32000-1 §7.3).
///
/// Only trailers, cross-reference stream dictionaries and object headers are ever parsed with
/// this, so strings keep no content and streams are never decoded here.
enum PDFValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case real(Double)
    case name(String)
    case string
    case array([PDFValue])
    case dictionary([String: PDFValue])
    case reference(Int, Int)

    var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    var nameValue: String? {
        if case .name(let value) = self { return value }
        return nil
    }

    var dictionaryValue: [String: PDFValue]? {
        if case .dictionary(let value) = self { return value }
        return nil
    }

    var arrayValue: [PDFValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// A bounded PDF tokenizer over the raw bytes of a file.
///
/// Everything here reads hostile input, so every loop is bounded: nesting depth, the number of
/// bytes one `parseValue` may consume, the length of a name or keyword. Running out of budget is
/// a parse failure (nil), never a crash or a long stall.
struct PDFLexer {
    let bytes: ByteView
    var position: Int
    /// Parsing may not move past this index (a budget, not the end of the file).
    private var limit: Int
    /// Strict parsing (``PDFObjects`` and the content streams it reads) refuses what a reader
    /// could take in more than one way, so that what parses here parses the same in poppler: a
    /// key given twice in one dictionary, a malformed `#xx` escape or `#00` in a name, a number
    /// outside the PDF grammar (`1e5`, `0x10`, `--5`, `nan`).
    var strict = false

    /// Objects deeper than this are refused: trailers are shallow, and deep nesting is a known
    /// attack on recursive parsers (corpus `issue-146.pdf`).
    static let maximumDepth = 32

    init(bytes: ByteView, position: Int, budget: Int = 64 * 1024) {
        self.bytes = bytes
        self.position = max(0, min(position, bytes.count))
        let (end, overflow) = self.position.addingReportingOverflow(max(0, budget))
        self.limit = overflow ? bytes.count : min(bytes.count, end)
    }

    /// Over a copy of `bytes` (tests).
    init(bytes: [UInt8], position: Int, budget: Int = 64 * 1024) {
        self.init(bytes: ByteView(copying: bytes), position: position, budget: budget)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    static func isRegular(_ byte: UInt8) -> Bool { !isWhitespace(byte) && !isDelimiter(byte) }

    var atEnd: Bool { position >= limit }

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < limit ? bytes[index] : nil
    }

    /// Skips white space and comments (a comment runs to the end of its line).
    mutating func skipWhitespace() {
        while position < limit {
            let byte = bytes[position]
            if Self.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while position < limit, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// True when the next token is exactly `keyword` (followed by a delimiter, white space or
    /// the end); consumes it then.
    mutating func consumeKeyword(_ keyword: String) -> Bool {
        skipWhitespace()
        let utf8 = Array(keyword.utf8)
        guard position + utf8.count <= limit else { return false }
        for (index, byte) in utf8.enumerated() where bytes[position + index] != byte { return false }
        let after = position + utf8.count
        if after < bytes.count, Self.isRegular(bytes[after]) { return false }
        position = after
        return true
    }

    /// Reads a non-negative integer token (no sign, no fraction); nil without consuming otherwise.
    mutating func readUnsignedInteger() -> Int? {
        skipWhitespace()
        let start = position
        var value = 0
        while position < limit, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(bytes[position] - 0x30))
            if overflow1 || overflow2 {
                position = start
                return nil
            }
            value = sum
            position += 1
        }
        if position == start || (position < bytes.count && Self.isRegular(bytes[position])) {
            position = start
            return nil
        }
        return value
    }

    /// Reads a run of regular characters (a keyword such as `obj`, `xref`, `trailer`, `n`).
    mutating func readKeyword(maximumLength: Int = 32) -> String? {
        skipWhitespace()
        let start = position
        while position < limit, Self.isRegular(bytes[position]) {
            position += 1
            if position - start > maximumLength {
                position = start
                return nil
            }
        }
        guard position > start else { return nil }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Parses one direct object; nil when the bytes are not one, or when a budget runs out.
    mutating func parseValue(depth: Int = 0) -> PDFValue? {
        guard depth <= Self.maximumDepth else { return nil }
        skipWhitespace()
        guard let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "/"):
            return parseName()
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "<") { return parseDictionary(depth: depth) }
            return skipHexString() ? .string : nil
        case UInt8(ascii: "("):
            return skipLiteralString() ? .string : nil
        case UInt8(ascii: "["):
            position += 1
            var items: [PDFValue] = []
            while true {
                skipWhitespace()
                guard let next = peek() else { return nil }
                if next == UInt8(ascii: "]") {
                    position += 1
                    return .array(items)
                }
                guard let item = parseValue(depth: depth + 1) else { return nil }
                items.append(item)
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return parseNumberOrReference()
        default:
            guard let keyword = readKeyword() else { return nil }
            switch keyword {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: return nil
            }
        }
    }

    /// `<< /Key value … >>`; nil unless the dictionary is well formed.
    mutating func parseDictionary(depth: Int = 0) -> PDFValue? {
        guard depth <= Self.maximumDepth else { return nil }
        skipWhitespace()
        guard peek() == UInt8(ascii: "<"), peek(1) == UInt8(ascii: "<") else { return nil }
        position += 2
        var entries: [String: PDFValue] = [:]
        while true {
            skipWhitespace()
            guard let next = peek() else { return nil }
            if next == UInt8(ascii: ">") {
                guard peek(1) == UInt8(ascii: ">") else { return nil }
                position += 2
                return .dictionary(entries)
            }
            guard case .name(let key)? = parseName() else { return nil }
            guard let value = parseValue(depth: depth + 1) else { return nil }
            // The first occurrence wins here; strict parsing refuses the ambiguity instead.
            if entries[key] == nil {
                entries[key] = value
            } else if strict {
                return nil
            }
        }
    }

    private mutating func parseName() -> PDFValue? {
        guard peek() == UInt8(ascii: "/") else { return nil }
        position += 1
        var name: [UInt8] = []
        while position < limit, Self.isRegular(bytes[position]) {
            let byte = bytes[position]
            // #xx escapes (PDF 1.2+): `/XR#65f` is the name XRef.
            if byte == UInt8(ascii: "#"), position + 2 < limit,
                let high = Self.hexValue(bytes[position + 1]), let low = Self.hexValue(bytes[position + 2])
            {
                if strict, high == 0, low == 0 { return nil }
                name.append(high << 4 | low)
                position += 3
            } else if strict, byte == UInt8(ascii: "#") {
                return nil
            } else {
                name.append(byte)
                position += 1
            }
            if name.count > 127 { return nil }
        }
        return .name(String(decoding: name, as: UTF8.self))
    }

    private mutating func parseNumberOrReference() -> PDFValue? {
        let start = position
        if let first = readUnsignedInteger() {
            // `N G R` is an indirect reference; anything else leaves the second number unread.
            let afterFirst = position
            if let second = readUnsignedInteger(), consumeKeyword("R") {
                return .reference(first, second)
            }
            position = afterFirst
            return .int(first)
        }
        position = start
        while position < limit, Self.isRegular(bytes[position]) {
            position += 1
            if position - start > 64 { return nil }
        }
        let token = bytes[start..<position]
        if strict, !Self.isPDFNumber(token) { return nil }
        let text = String(decoding: token, as: UTF8.self)
        if let value = Int(text) { return .int(value) }
        if let value = Double(text) { return .real(value) }
        return nil
    }

    private mutating func skipHexString() -> Bool {
        position += 1
        while position < limit {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ">") { return true }
        }
        return false
    }

    private mutating func skipLiteralString() -> Bool {
        position += 1
        var nesting = 1
        while position < limit {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\\"): position += 1
            case UInt8(ascii: "("): nesting += 1
            case UInt8(ascii: ")"):
                nesting -= 1
                if nesting == 0 { return true }
            default: break
            }
        }
        return false
    }

    /// `[+-]?(digits[.digits*] | .digits)` with at most 32 characters: what ISO 32000-1 §7.3.3
    /// allows and poppler's lexer reads as one number.
    static func isPDFNumber(_ token: [UInt8]) -> Bool {
        guard !token.isEmpty, token.count <= 32 else { return false }
        var index = 0
        if token[0] == UInt8(ascii: "+") || token[0] == UInt8(ascii: "-") { index = 1 }
        var digits = 0
        var dots = 0
        while index < token.count {
            let byte = token[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
            } else if byte == UInt8(ascii: ".") {
                dots += 1
            } else {
                return false
            }
            index += 1
        }
        return digits > 0 && dots <= 1
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// Index of the first occurrence of `needle` in `range`, or nil (as `ByteView` finds it).
    func firstIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        ByteView(copying: self).firstIndex(of: needle, in: range)
    }

    /// Index of the last occurrence of `needle` that lies wholly inside `range`, or nil.
    func lastIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        ByteView(copying: self).lastIndex(of: needle, in: range)
    }
}
