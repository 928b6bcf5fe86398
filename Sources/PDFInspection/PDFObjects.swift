/// Indirect objects of an intact file, fetched the way a conforming reader fetches them: through
/// the cross-reference chain from the last `startxref` (tables, cross-reference streams, hybrid
/// `/XRefStm`), objects in object streams included (ISO 32000-1 §7.5).
///
/// Built only when ``PDFStructure`` found the chain intact, so the table used here is the one
/// poppler uses (it rebuilds only broken tables). Everything is strict (see
/// ``PDFLexer/strict``): a free or missing entry, a header that does not match its entry, a
/// reference to a reference, a filter other than Flate, a second key of the same name — any of
/// them makes a fetch fail (nil), and the caller then leaves the question to poppler. Work is
/// bounded: fetched objects, decoded bytes and parse budgets.
final class PDFObjects {
    enum Entry: Equatable {
        case offset(Int, generation: Int)
        case compressed(stream: Int, index: Int)
        case free
    }

    struct Stream {
        var dictionary: [String: PDFValue]
        /// Where the raw (still filtered) data lies in the file.
        var data: Range<Int>?
        /// The offset just after `stream` + EOL, for a stream whose `/Length` was not checked.
        var dataStart: Int
    }

    enum Object {
        case value(PDFValue)
        case stream(Stream)
    }

    let bytes: ByteView
    private let base: Int
    private(set) var entries: [Int: Entry] = [:]
    /// The newest trailer (or cross-reference stream dictionary).
    private(set) var trailer: [String: PDFValue] = [:]
    private var cache: [Int: Object] = [:]
    private var objectStreams: [Int: ObjectStream] = [:]
    private var fetches = 0
    private var decodedBytes = 0
    private var parsedBytes = 0

    /// Objects fetched at most (a page of a scan needs a handful).
    static let maximumFetches = 200_000
    /// Decoded stream bytes at most, all streams together.
    static let maximumDecodedBytes = 64 << 20
    /// One decoded stream at most.
    static let maximumStreamBytes = 16 << 20
    /// Bytes lexed for objects at most, all fetches together (objects may overlap in a hostile
    /// file; each parse may read up to the lexer's 64 KiB budget).
    static let maximumParsedBytes = 64 << 20

    /// Nil unless every cross-reference section reads cleanly.
    init?(bytes: ByteView, structure: PDFStructure) {
        guard structure.xrefIntact, !structure.encryptDeclared, let base = structure.offsetBase else { return nil }
        self.bytes = bytes
        self.base = base
        guard readChain() else { return nil }
    }

    // MARK: - The cross-reference chain

    private func readChain() -> Bool {
        let keyword = Array("startxref".utf8)
        guard let hit = bytes.lastIndex(of: keyword, in: max(0, bytes.count - PDFStructure.trailerSearchLength)..<bytes.count)
        else { return false }
        var lexer = PDFLexer(bytes: bytes, position: hit + keyword.count, budget: 256)
        guard let start = lexer.readUnsignedInteger() else { return false }
        var pending = [start]
        var visited = Set<Int>()
        var first = true
        while let offset = pending.popLast() {
            guard visited.insert(offset).inserted, visited.count <= PDFStructure.maximumSections else { return false }
            let (position, overflow) = offset.addingReportingOverflow(base)
            guard !overflow, position >= 0, position < bytes.count else { return false }
            var table = PDFLexer(bytes: bytes, position: position)
            let section: [String: PDFValue]
            let isTable: Bool
            if table.consumeKeyword("xref") {
                guard let dictionary = readTable(after: table.position) else { return false }
                section = dictionary
                isTable = true
            } else {
                guard let dictionary = readStreamSection(at: position) else { return false }
                section = dictionary
                isTable = false
            }
            if first {
                trailer = section
                first = false
            }
            // As the walker (and poppler) read them: /XRefStm before /Prev.
            if let prev = section["Prev"] {
                guard let value = prev.intValue else { return false }
                pending.append(value)
            }
            if isTable, let stream = section["XRefStm"] {
                guard let value = stream.intValue else { return false }
                pending.append(value)
            }
        }
        return !first
    }

    /// Entries of a newer section shadow older ones, free entries included.
    private func record(_ number: Int, _ entry: Entry) {
        if entries[number] == nil { entries[number] = entry }
    }

    private func readTable(after position: Int) -> [String: PDFValue]? {
        var lexer = PDFLexer(bytes: bytes, position: position, budget: bytes.count)
        while true {
            if lexer.consumeKeyword("trailer") { break }
            guard var first = lexer.readUnsignedInteger(), let count = lexer.readUnsignedInteger(),
                count <= bytes.count / 18, first <= Int(Int32.max)
            else { return nil }
            for index in 0..<count {
                guard let offset = lexer.readUnsignedInteger(), let generation = lexer.readUnsignedInteger(),
                    let kind = lexer.readKeyword(maximumLength: 1), kind == "n" || kind == "f"
                else { return nil }
                if index == 0, first == 1, offset == 0, generation == 65535, kind == "f" { first = 0 }
                record(first + index, kind == "n" ? .offset(offset, generation: generation) : .free)
            }
        }
        var trailerLexer = PDFLexer(bytes: bytes, position: lexer.position)
        trailerLexer.strict = true
        return trailerLexer.parseDictionary()?.dictionaryValue
    }

    private func readStreamSection(at position: Int) -> [String: PDFValue]? {
        guard let (header, object) = parseIndirectObject(at: position, data: bytes, checkLength: true),
            case .stream(let stream) = object, stream.dictionary["Type"]?.nameValue == "XRef",
            let data = decode(stream, number: header.number),
            let widths = stream.dictionary["W"]?.arrayValue?.compactMap(\.intValue), widths.count == 3,
            widths.allSatisfy({ (0...8).contains($0) })
        else { return nil }
        let entryLength = widths.reduce(0, +)
        guard entryLength > 0 else { return nil }
        let size = stream.dictionary["Size"]?.intValue ?? 0
        let pairs = stream.dictionary["Index"]?.arrayValue?.map(\.intValue) ?? [0, size]
        guard pairs.count % 2 == 0, pairs.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        func field(_ at: Int, _ width: Int) -> Int {
            var value = 0
            for offset in 0..<width { value = value << 8 | Int(data[at + offset]) }
            return value
        }
        var cursor = 0
        var pairIndex = 0
        while pairIndex < pairs.count {
            let first = pairs[pairIndex]!
            let count = pairs[pairIndex + 1]!
            pairIndex += 2
            guard count <= data.count / entryLength, first <= Int(Int32.max) else { return nil }
            for number in first..<(first + count) {
                guard cursor + entryLength <= data.count else { return nil }
                let type = widths[0] == 0 ? 1 : field(cursor, widths[0])
                let second = field(cursor + widths[0], widths[1])
                let third = widths[2] == 0 ? 0 : field(cursor + widths[0] + widths[1], widths[2])
                cursor += entryLength
                switch type {
                case 0: record(number, .free)
                case 1: record(number, .offset(second, generation: third))
                case 2: record(number, .compressed(stream: second, index: third))
                default: return nil
                }
            }
        }
        return stream.dictionary
    }

    // MARK: - Fetching

    /// The object `number generation R` refers to; nil when it cannot be fetched strictly.
    func object(_ number: Int, generation: Int) -> Object? {
        if let cached = cache[number] {
            // The generation was checked when it was cached; a different one is another object.
            guard case .offset(_, let expected)? = entries[number] else { return generation == 0 ? cached : nil }
            return expected == generation ? cached : nil
        }
        guard fetches < Self.maximumFetches, parsedBytes < Self.maximumParsedBytes, let entry = entries[number] else {
            return nil
        }
        fetches += 1
        let object: Object
        switch entry {
        case .free:
            return nil
        case .offset(let offset, let expected):
            guard expected == generation else { return nil }
            let (position, overflow) = offset.addingReportingOverflow(base)
            guard !overflow, position >= 0, position < bytes.count,
                let (found, parsed) = parseIndirectObject(at: position, data: bytes, checkLength: false),
                found.number == number, found.generation == generation
            else { return nil }
            object = parsed
        case .compressed(let streamNumber, let index):
            guard generation == 0, let value = compressedObject(number, in: streamNumber, index: index) else { return nil }
            object = .value(value)
        }
        cache[number] = object
        return object
    }

    /// `value`, or the object it refers to; nil for a stream, a reference to a reference, or
    /// anything that cannot be fetched.
    func resolve(_ value: PDFValue?) -> PDFValue? {
        guard let value else { return nil }
        guard case .reference(let number, let generation) = value else { return value }
        guard case .value(let target)? = object(number, generation: generation) else { return nil }
        if case .reference = target { return nil }
        return target
    }

    /// The stream `value` refers to (streams are always indirect).
    func stream(_ value: PDFValue?) -> (number: Int, stream: Stream)? {
        guard case .reference(let number, let generation)? = value,
            case .stream(let stream)? = object(number, generation: generation)
        else { return nil }
        return (number, stream)
    }

    /// A dictionary, direct or referred to.
    func dictionary(_ value: PDFValue?) -> [String: PDFValue]? {
        resolve(value)?.dictionaryValue
    }

    /// The decoded data of a stream: unfiltered or `/FlateDecode` (with a PNG predictor),
    /// nothing else; `/Length` must lead to `endstream`.
    func decode(_ stream: Stream, number: Int) -> [UInt8]? {
        let range: Range<Int>
        if let data = stream.data {
            range = data
        } else {
            guard let length = resolve(stream.dictionary["Length"])?.intValue, length >= 0,
                length <= bytes.count - stream.dataStart
            else { return nil }
            var end = PDFLexer(bytes: bytes, position: stream.dataStart + length, budget: 256)
            guard end.consumeKeyword("endstream") else { return nil }
            range = stream.dataStart..<(stream.dataStart + length)
        }
        guard range.count <= Self.maximumStreamBytes, decodedBytes + range.count <= Self.maximumDecodedBytes else {
            return nil
        }
        let raw = bytes[range]
        let filter = resolve(stream.dictionary["Filter"])
        let parameters = resolve(stream.dictionary["DecodeParms"])
        let decoded: [UInt8]
        switch filter {
        case nil:
            guard parameters == nil else { return nil }
            decoded = raw
        case .name("FlateDecode")?, .array([.name("FlateDecode")])?:
            var single = parameters
            if case .array(let items)? = parameters {
                guard items.count == 1 else { return nil }
                single = resolve(items[0])
            }
            let dictionary: [String: PDFValue]?
            switch single {
            case nil, .null?: dictionary = nil
            case .dictionary(let value)?: dictionary = value
            default: return nil
            }
            let budget = min(Self.maximumStreamBytes, Self.maximumDecodedBytes - decodedBytes)
            guard let inflated = Flate.inflateZlib(raw, limit: budget),
                let unpredicted = Flate.unpredict(inflated, parameters: dictionary)
            else { return nil }
            decoded = unpredicted
        default:
            return nil
        }
        decodedBytes += decoded.count
        return decoded
    }

    // MARK: - Parsing

    /// `N G obj value` at `position` in `data` (the file, or a decoded object stream); a
    /// dictionary followed by `stream` is a stream. With `checkLength`, the stream's `/Length`
    /// must be a direct integer leading to `endstream` (cross-reference streams).
    private func parseIndirectObject(at position: Int, data: ByteView, checkLength: Bool) -> (
        (number: Int, generation: Int), Object
    )? {
        var lexer = PDFLexer(bytes: data, position: position)
        lexer.strict = true
        defer { parsedBytes += max(lexer.position - position, 256) }
        guard let number = lexer.readUnsignedInteger(), let generation = lexer.readUnsignedInteger(),
            lexer.consumeKeyword("obj"), let value = lexer.parseValue()
        else { return nil }
        guard case .dictionary(let dictionary) = value else { return ((number, generation), .value(value)) }
        var after = lexer
        guard after.consumeKeyword("stream") else { return ((number, generation), .value(value)) }
        // Data starts after CRLF or LF (ISO 32000-1 §7.3.8.1); anything else is left to poppler.
        var start = after.position
        if start < data.count, data[start] == 0x0D { start += 1 }
        guard start < data.count, data[start] == 0x0A else { return nil }
        start += 1
        var stream = Stream(dictionary: dictionary, data: nil, dataStart: start)
        if checkLength {
            guard let length = dictionary["Length"]?.intValue, length >= 0, length <= data.count - start else { return nil }
            var end = PDFLexer(bytes: data, position: start + length, budget: 256)
            guard end.consumeKeyword("endstream") else { return nil }
            stream.data = start..<(start + length)
        }
        return ((number, generation), .stream(stream))
    }

    private struct ObjectStream {
        var data: ByteView
        var first: Int
        /// (object number, offset from `first`) for each index.
        var directory: [(number: Int, offset: Int)]
    }

    private func compressedObject(_ number: Int, in streamNumber: Int, index: Int) -> PDFValue? {
        let container: ObjectStream
        if let cached = objectStreams[streamNumber] {
            container = cached
        } else {
            // An object stream is itself an uncompressed object of generation 0.
            guard case .offset = entries[streamNumber], case .stream(let stream)? = object(streamNumber, generation: 0),
                stream.dictionary["Type"]?.nameValue == "ObjStm",
                let count = resolve(stream.dictionary["N"])?.intValue, let first = resolve(stream.dictionary["First"])?.intValue,
                count >= 0, first >= 0,
                let decoded = decode(stream, number: streamNumber), first <= decoded.count, count <= decoded.count / 2
            else { return nil }
            let view = ByteView(copying: decoded)
            var lexer = PDFLexer(bytes: view, position: 0, budget: first)
            var directory: [(Int, Int)] = []
            directory.reserveCapacity(count)
            for _ in 0..<count {
                guard let objectNumber = lexer.readUnsignedInteger(), let offset = lexer.readUnsignedInteger() else {
                    return nil
                }
                directory.append((objectNumber, offset))
            }
            container = ObjectStream(data: view, first: first, directory: directory)
            objectStreams[streamNumber] = container
        }
        guard index >= 0, index < container.directory.count, container.directory[index].number == number else { return nil }
        let (start, overflow) = container.first.addingReportingOverflow(container.directory[index].offset)
        guard !overflow, start < container.data.count else { return nil }
        var lexer = PDFLexer(bytes: container.data, position: start)
        lexer.strict = true
        defer { parsedBytes += max(lexer.position - start, 256) }
        guard let value = lexer.parseValue() else { return nil }
        // Streams cannot live in object streams: a dictionary followed by `stream` is malformed.
        if case .dictionary = value, lexer.consumeKeyword("stream") { return nil }
        return value
    }
}
