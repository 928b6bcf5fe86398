/// What the raw bytes of a file say about its PDF structure, independently of poppler.
///
/// poppler-glib answers neither "was the cross-reference table rebuilt?" nor "is this file
/// encrypted?" when an owner-password-only file opens silently, so both are decided here by
/// reading the file's cross-reference sections the way a conforming reader would
/// (ISO 32000-1 §7.5.4–§7.5.8).
struct PDFStructure: Equatable {
    /// Offset of `%PDF-` (0 for a clean file; more when junk precedes it); nil when there is no
    /// header in the first 1024 bytes.
    var headerOffset: Int?
    /// The version in the header, e.g. "1.4".
    var headerVersion: String?
    /// True when the last `startxref` leads to a chain of cross-reference sections that are all
    /// where they claim to be, with every checked entry pointing at its object.
    var xrefIntact: Bool
    /// Why the chain is not intact (for logs), nil when it is.
    var xrefProblem: String?
    /// True when a trailer (or cross-reference stream dictionary) names an `/Encrypt` dictionary.
    var encryptDeclared: Bool

    /// How far into the file `%PDF-` may start. The PDF reference (implementation note 13 in
    /// PDF 1.7) and poppler both accept junk before the header within the first 1024 bytes.
    static let headerSearchLength = 1024
    /// `startxref` must be found in this many bytes at the end, as poppler looks for it.
    static let trailerSearchLength = 1024
    /// More sections than this in a `/Prev` chain is not a real file's history.
    static let maximumSections = 512
    /// Entries whose target is verified (20 MiB of PDF holds far fewer objects).
    static let maximumCheckedEntries = 2_000_000

    /// What offsets in the cross-reference data count from: 0, or `headerOffset` when junk
    /// precedes the header and the file counts from `%PDF-`. Nil when no section was found.
    var offsetBase: Int?

    /// Over a copy of `bytes` (tests).
    static func analyse(_ bytes: [UInt8]) -> PDFStructure {
        analyse(ByteView(copying: bytes))
    }

    static func analyse(_ bytes: ByteView) -> PDFStructure {
        let header = findHeader(bytes)
        var structure = PDFStructure(
            headerOffset: header?.offset, headerVersion: header?.version, xrefIntact: false, xrefProblem: nil,
            encryptDeclared: false)
        var walker = XRefWalker(bytes: bytes, headerOffset: header?.offset ?? 0)
        let walk = walker.walk()
        structure.xrefIntact = walk.problem == nil
        structure.xrefProblem = walk.problem
        structure.encryptDeclared = walk.encryptDeclared
        structure.offsetBase = walker.offsetBase
        if walk.problem != nil {
            // A reader rebuilds a broken xref by scanning the whole file for trailers and
            // cross-reference streams, so the encryption check must look where it would look.
            structure.encryptDeclared = structure.encryptDeclared || scanForEncryptDictionary(bytes)
        }
        return structure
    }

    /// `%PDF-x.y` within the first 1024 bytes.
    static func findHeader(_ bytes: ByteView) -> (offset: Int, version: String?)? {
        let marker = Array("%PDF-".utf8)
        let end = min(bytes.count, headerSearchLength + marker.count)
        guard let offset = bytes.firstIndex(of: marker, in: 0..<end) else { return nil }
        var index = offset + marker.count
        var version: [UInt8] = []
        while index < bytes.count, version.count < 8,
            (bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")) || bytes[index] == UInt8(ascii: ".")
        {
            version.append(bytes[index])
            index += 1
        }
        return (offset, version.isEmpty ? nil : String(decoding: version, as: UTF8.self))
    }

    /// The fallback for a broken chain: every `trailer` dictionary and every dictionary of type
    /// `/XRef` in the file, parsed as dictionaries (so `/Encrypt` inside a string, a content
    /// stream or another key's value does not count), bounded in number.
    static func scanForEncryptDictionary(_ bytes: ByteView) -> Bool {
        func declaresEncrypt(_ dictionary: [String: PDFValue]) -> Bool {
            guard let value = dictionary["Encrypt"] else { return false }
            return value != .null
        }
        let whole = 0..<bytes.count
        var examined = 0
        var from = 0
        let trailer = Array("trailer".utf8)
        while examined < 4096, let hit = bytes.firstIndex(of: trailer, in: from..<whole.upperBound) {
            examined += 1
            from = hit + trailer.count
            var lexer = PDFLexer(bytes: bytes, position: from)
            if let dictionary = lexer.parseDictionary()?.dictionaryValue, declaresEncrypt(dictionary) { return true }
        }
        // A cross-reference stream's dictionary carries the trailer keys. Find each `/Type /XRef`
        // name, then parse the dictionary of the object it sits in.
        let xrefName = Array("/XRef".utf8)
        let objKeyword = Array("obj".utf8)
        from = 0
        examined = 0
        while examined < 4096, let hit = bytes.firstIndex(of: xrefName, in: from..<whole.upperBound) {
            examined += 1
            from = hit + xrefName.count
            if from < bytes.count, PDFLexer.isRegular(bytes[from]) { continue }  // e.g. /XRefStm
            let windowStart = max(0, hit - 4096)
            guard let obj = bytes.lastIndex(of: objKeyword, in: windowStart..<hit) else { continue }
            var lexer = PDFLexer(bytes: bytes, position: obj + objKeyword.count)
            if let dictionary = lexer.parseDictionary()?.dictionaryValue,
                dictionary["Type"]?.nameValue == "XRef", declaresEncrypt(dictionary)
            {
                return true
            }
        }
        return false
    }
}

/// Follows `startxref` → section → `/Prev` (and `/XRefStm`) like a reader that does not repair.
/// Any step that a conforming reader could not take is a problem: then poppler falls back to
/// reconstructing the table by scanning the file, which is what `repaired` reports.
struct XRefWalker {
    let bytes: ByteView
    let headerOffset: Int
    /// Offsets in `startxref` and `/Prev` count from `%PDF-` when junk precedes it; which base the
    /// file uses is found on the first section and kept for the rest.
    private var base: Int?
    private var checkedEntries = 0
    /// The base the first section was found with (see ``PDFStructure/offsetBase``).
    var offsetBase: Int? { base }
    private var seenObjects = Set<Int>()

    init(bytes: ByteView, headerOffset: Int) {
        self.bytes = bytes
        self.headerOffset = headerOffset
    }

    struct Result {
        var problem: String?
        var encryptDeclared = false
    }

    mutating func walk() -> Result {
        var result = Result()
        let start: Int
        switch lastStartXRef() {
        case .missing:
            result.problem = "no startxref in the last \(PDFStructure.trailerSearchLength) bytes"
            return result
        case .noOffset:
            result.problem = "startxref is not followed by an offset"
            return result
        case .offset(let value):
            start = value
        }
        var pending: [Int] = [start]
        var visited = Set<Int>()
        while let offset = pending.popLast() {
            guard visited.insert(offset).inserted else {
                result.problem = "xref chain loops back to offset \(offset)"
                return result
            }
            guard visited.count <= PDFStructure.maximumSections else {
                result.problem = "more than \(PDFStructure.maximumSections) xref sections"
                return result
            }
            let section: Section
            switch readSection(at: offset) {
            case .failure(let problem):
                result.problem = problem
                return result
            case .success(let value):
                section = value
            }
            if let encrypt = section.trailer["Encrypt"], encrypt != .null { result.encryptDeclared = true }
            // /XRefStm (hybrid files) is read before /Prev, as readers do.
            if let prev = section.trailer["Prev"] {
                guard let value = prev.intValue else {
                    result.problem = "/Prev is not an integer"
                    return result
                }
                pending.append(value)
            }
            if section.isTable, let stream = section.trailer["XRefStm"] {
                guard let value = stream.intValue else {
                    result.problem = "/XRefStm is not an integer"
                    return result
                }
                pending.append(value)
            }
        }
        return result
    }

    private enum StartXRef {
        case missing, noOffset, offset(Int)
    }

    /// The number after the last `startxref` near the end of the file.
    private func lastStartXRef() -> StartXRef {
        let keyword = Array("startxref".utf8)
        let from = max(0, bytes.count - PDFStructure.trailerSearchLength)
        guard let hit = bytes.lastIndex(of: keyword, in: from..<bytes.count) else { return .missing }
        var lexer = PDFLexer(bytes: bytes, position: hit + keyword.count, budget: 256)
        guard let offset = lexer.readUnsignedInteger() else { return .noOffset }
        return .offset(offset)
    }

    private struct Section {
        var isTable: Bool
        var trailer: [String: PDFValue]
    }

    private enum Outcome {
        case success(Section)
        case failure(String)
    }

    private mutating func readSection(at offset: Int) -> Outcome {
        let candidates: [Int]
        if let base {
            candidates = [base]
        } else if headerOffset > 0 {
            candidates = [headerOffset, 0]
        } else {
            candidates = [0]
        }
        for candidate in candidates {
            let (position, overflow) = offset.addingReportingOverflow(candidate)
            guard !overflow, position >= 0, position < bytes.count else { continue }
            var lexer = PDFLexer(bytes: bytes, position: position)
            if lexer.consumeKeyword("xref") {
                base = candidate
                return readTable(lexer: lexer, offset: offset)
            }
            var header = PDFLexer(bytes: bytes, position: position)
            if let number = header.readUnsignedInteger(), header.readUnsignedInteger() != nil,
                header.consumeKeyword("obj")
            {
                base = candidate
                return readStream(lexer: header, number: number, offset: offset)
            }
        }
        return .failure("startxref/Prev offset \(offset) points at neither `xref` nor an object")
    }

    /// A classic table: subsections of `first count` and 20-byte entries, then `trailer << >>`.
    private mutating func readTable(lexer start: PDFLexer, offset: Int) -> Outcome {
        // The table can be long; its own budget is its entries, not the 64 KiB dictionary budget.
        var lexer = PDFLexer(bytes: bytes, position: start.position, budget: bytes.count)
        var entries: [(number: Int, offset: Int, generation: Int, inUse: Bool)] = []
        while true {
            if lexer.consumeKeyword("trailer") { break }
            guard var first = lexer.readUnsignedInteger(), let count = lexer.readUnsignedInteger() else {
                return .failure("malformed xref subsection header in the table at \(offset)")
            }
            guard count <= bytes.count / 18 else { return .failure("impossible xref subsection size \(count)") }
            guard first <= Int(Int32.max) else { return .failure("impossible xref subsection start \(first)") }
            for index in 0..<count {
                guard let entryOffset = lexer.readUnsignedInteger(), let generation = lexer.readUnsignedInteger(),
                    let kind = lexer.readKeyword(maximumLength: 1), kind == "n" || kind == "f"
                else {
                    return .failure("malformed xref entry \(first + index) in the table at \(offset)")
                }
                // A well-known writer bug numbers the first subsection from 1 while listing object
                // 0's free entry; readers (poppler included) silently renumber it from 0.
                if index == 0, first == 1, entryOffset == 0, generation == 65535, kind == "f" { first = 0 }
                entries.append((first + index, entryOffset, generation, kind == "n"))
            }
        }
        let trailerLexerStart = lexer.position
        var trailerLexer = PDFLexer(bytes: bytes, position: trailerLexerStart)
        guard let trailer = trailerLexer.parseDictionary()?.dictionaryValue else {
            return .failure("unreadable trailer dictionary after the table at \(offset)")
        }
        // Entries of a newer section shadow older ones; only the newest is what a reader uses.
        for entry in entries where seenObjects.insert(entry.number).inserted && entry.inUse {
            guard checkedEntries < PDFStructure.maximumCheckedEntries else { break }
            checkedEntries += 1
            if !objectHeader(at: entry.offset, is: entry.number, generation: entry.generation) {
                return .failure("xref entry for object \(entry.number) does not point at `\(entry.number) \(entry.generation) obj`")
            }
        }
        return .success(Section(isTable: true, trailer: trailer))
    }

    /// A cross-reference stream (PDF 1.5): `N G obj << /Type /XRef … >> stream … endstream`.
    private mutating func readStream(lexer start: PDFLexer, number: Int, offset: Int) -> Outcome {
        var lexer = start
        guard let dictionary = lexer.parseDictionary()?.dictionaryValue, dictionary["Type"]?.nameValue == "XRef" else {
            return .failure("object \(number) at \(offset) is not a cross-reference stream")
        }
        guard lexer.consumeKeyword("stream") else { return .failure("xref stream \(number) has no stream data") }
        // Stream data starts after the end-of-line that follows `stream` (§7.3.8.1).
        var dataStart = lexer.position
        if dataStart < bytes.count, bytes[dataStart] == 0x0D { dataStart += 1 }
        if dataStart < bytes.count, bytes[dataStart] == 0x0A { dataStart += 1 }
        guard let length = dictionary["Length"]?.intValue, length >= 0, length <= bytes.count - dataStart else {
            return .failure("xref stream \(number) has no usable /Length")
        }
        var end = PDFLexer(bytes: bytes, position: dataStart + length, budget: 256)
        guard end.consumeKeyword("endstream") else {
            return .failure("xref stream \(number) does not end where /Length says")
        }
        // Entries are checked only when the stream is stored unfiltered; compressed entries would
        // need a Flate decoder, and poppler validates each entry when it fetches the object.
        if dictionary["Filter"] == nil, let widths = dictionary["W"]?.arrayValue?.compactMap(\.intValue),
            widths.count == 3, widths.allSatisfy({ $0 >= 0 && $0 <= 8 })
        {
            let data = bytes[dataStart..<(dataStart + length)]
            if let problem = checkStreamEntries(
                data: Array(data), widths: widths, index: dictionary["Index"]?.arrayValue?.compactMap(\.intValue),
                size: dictionary["Size"]?.intValue ?? 0, streamObject: number)
            {
                return .failure(problem)
            }
        }
        return .success(Section(isTable: false, trailer: dictionary))
    }

    /// `streamObject`'s own entry is not checked: no reader fetches the cross-reference stream
    /// through it, and writers get it wrong harmlessly (corpus `hybrid-xref.pdf`).
    private mutating func checkStreamEntries(
        data: [UInt8], widths: [Int], index: [Int]?, size: Int, streamObject: Int
    ) -> String? {
        let entryLength = widths.reduce(0, +)
        guard entryLength > 0 else { return "xref stream with zero-width entries" }
        var ranges: [(first: Int, count: Int)] = []
        let pairs = index ?? [0, size]
        var pairIndex = 0
        while pairIndex + 1 < pairs.count {
            ranges.append((pairs[pairIndex], pairs[pairIndex + 1]))
            pairIndex += 2
        }
        func field(_ position: Int, _ width: Int) -> Int {
            var value = 0
            for offset in 0..<width { value = value << 8 | Int(data[position + offset]) }
            return value
        }
        var cursor = 0
        for range in ranges {
            // (Bounds that keep `first + count` from overflowing; entries past the data fail below.)
            guard range.first <= Int(Int32.max) else { return "xref stream /Index starts at \(range.first)" }
            guard range.count <= data.count else { return "xref stream shorter than its /Index" }
            for number in range.first..<(range.first + max(0, range.count)) {
                guard cursor + entryLength <= data.count else { return "xref stream shorter than its /Index" }
                // A missing type field means type 1 (§7.5.8.2, table 17).
                let type = widths[0] == 0 ? 1 : field(cursor, widths[0])
                let second = field(cursor + widths[0], widths[1])
                let third = widths[2] == 0 ? 0 : field(cursor + widths[0] + widths[1], widths[2])
                cursor += entryLength
                guard seenObjects.insert(number).inserted, type == 1, number != streamObject else { continue }
                guard checkedEntries < PDFStructure.maximumCheckedEntries else { return nil }
                checkedEntries += 1
                if !objectHeader(at: second, is: number, generation: third) {
                    return "xref stream entry for object \(number) does not point at `\(number) \(third) obj`"
                }
            }
        }
        return nil
    }

    /// True when `N G obj` starts at `offset` (after optional white space, as poppler allows).
    private func objectHeader(at offset: Int, is number: Int, generation: Int) -> Bool {
        let (position, overflow) = offset.addingReportingOverflow(base ?? 0)
        guard !overflow, position >= 0, position < bytes.count else { return false }
        var lexer = PDFLexer(bytes: bytes, position: position, budget: 256)
        return lexer.readUnsignedInteger() == number && lexer.readUnsignedInteger() == generation
            && lexer.consumeKeyword("obj")
    }
}
