import Foundation
import CLibXML2

/// Refuses a part before any parser sees it when it could make libxml2 fetch or expand anything.
///
/// Spreadsheet parts never contain markup declarations, so any `<!` other than a comment or a
/// CDATA section is refused outright: that covers `<!DOCTYPE` (external DTDs, XXE) and `<!ENTITY`
/// (billion laughs) whatever their case or spacing. UTF-16 parts are refused too, since their
/// declarations would hide from a byte scan; no spreadsheet writer we know of emits them.
func checkXMLIsSafe(_ data: Data, part: String) throws(SpreadsheetError) {
    let safe = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let count = buffer.count
        if count >= 2, (base[0] == 0xFE && base[1] == 0xFF) || (base[0] == 0xFF && base[1] == 0xFE) { return false }
        if count >= 2, base[0] == 0 || base[1] == 0 { return false }
        var index = 0
        while index < count {
            guard let found = memchr(base + index, Int32(UInt8(ascii: "<")), count - index) else { break }
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if at + 1 < count, base[at + 1] == UInt8(ascii: "!") {
                let rest = UnsafeRawBufferPointer(start: base + at + 2, count: count - at - 2)
                let isComment = rest.starts(with: "--".utf8)
                let isCDATA = rest.starts(with: "[CDATA[".utf8)
                if !isComment && !isCDATA { return false }
            }
            index = at + 1
        }
        return true
    }
    if !safe { throw .unsafeXML(part: part) }
}

/// A SAX handler over libxml2's SAX2 interface: subclasses see local element and attribute
/// names (writers differ in the prefixes they bind, `x:c` or `c`) and may stop the parse with a
/// typed error.
///
/// libxml2 is called directly rather than through Foundation's `XMLParser`, which wraps the
/// same library on Linux but builds a dictionary and several strings per element: it took
/// seconds for a 10,000-row sheet, libxml2's own callbacks take a small fraction of that.
class SAXHandler {
    private(set) var failure: SpreadsheetError?
    fileprivate var context: xmlParserCtxtPtr?

    func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {}
    func end(_ name: String) throws(SpreadsheetError) {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>) {}

    /// What the parser is handed at a time.
    static let chunkBytes = 256 << 10

    /// Parses `data` (after the safety check) and rethrows whatever stopped it.
    func parse(_ data: Data, part: String) throws(SpreadsheetError) {
        try checkXMLIsSafe(data, part: part)
        _ = libxmlInitialized
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = saxStartElement
        sax.endElementNs = saxEndElement
        sax.characters = saxCharacters
        sax.cdataBlock = saxCharacters
        // A DTD cannot get here (checkXMLIsSafe); should the parser meet one anyway, stop.
        sax.internalSubset = saxRefuseDTD
        sax.entityDecl = saxRefuseEntity
        // Errors are reported through the return value; libxml2 would otherwise print them.
        sax.serror = saxSilence
        let wellFormed: Bool = withExtendedLifetime(self) {
            let me = Unmanaged.passUnretained(self).toOpaque()
            guard let context = xmlCreatePushParserCtxt(&sax, me, nil, 0, nil) else { return false }
            defer { xmlFreeParserCtxt(context) }
            self.context = context
            defer { self.context = nil }
            // No network, no entity substitution, no DTD loading: belt and braces after the scan.
            _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue))
            let status = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int32 in
                guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else {
                    return xmlParseChunk(context, nil, 0, 1)
                }
                // In chunks: handed more than 10 MB at once (a 30,000-row sheet), libxml2
                // refuses the input as a "huge lookup" unless told XML_PARSE_HUGE, which would
                // also lift its limits on a single text node's size and the nesting depth.
                var offset = 0
                repeat {
                    let length = min(Self.chunkBytes, buffer.count - offset)
                    let last = offset + length == buffer.count
                    let status = xmlParseChunk(context, base + offset, Int32(length), last ? 1 : 0)
                    if status != 0 || last { return status }
                    offset += length
                } while true
            }
            return status == 0 && context.pointee.wellFormed != 0
        }
        if let failure { throw failure }
        if !wellFormed { throw .malformedXML(part: part) }
    }

    fileprivate func fail(_ error: SpreadsheetError) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context) }
    }
}

/// The attributes of one element, looked up by local name without building a dictionary.
struct XMLAttributes {
    fileprivate let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate let count: Int

    /// `r:id` is found as `"id"` whatever prefix the writer bound, `xml:space` as `"space"`.
    subscript(_ localName: String) -> String? {
        guard let base else { return nil }
        var wanted = localName
        return wanted.withUTF8 { wantedBytes -> String? in
            for index in 0..<count {
                // Five pointers per attribute: localname, prefix, URI, value start, value end.
                guard let name = base[index * 5], let start = base[index * 5 + 3], let end = base[index * 5 + 4] else {
                    continue
                }
                if matches(name, wantedBytes) {
                    return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                }
            }
            return nil
        }
    }
}

/// A NUL-terminated name equal to `wanted`.
private func matches(_ name: UnsafePointer<xmlChar>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    for index in 0..<wanted.count where name[index] != wanted[index] { return false }
    return name[wanted.count] == 0
}

private let libxmlInitialized: Void = xmlInitParser()

private func handler(_ context: UnsafeMutableRawPointer?) -> SAXHandler? {
    context.map { Unmanaged<SAXHandler>.fromOpaque($0).takeUnretainedValue() }
}

private let saxStartElement: startElementNsSAX2Func = { context, localName, _, _, _, _, attributeCount, _, attributes in
    guard let handler = handler(context), handler.failure == nil, let localName else { return }
    let name = String(cString: localName)
    do throws(SpreadsheetError) {
        try handler.start(name, XMLAttributes(base: attributes, count: Int(attributeCount)))
    } catch {
        handler.fail(error)
    }
}

private let saxEndElement: endElementNsSAX2Func = { context, localName, _, _ in
    guard let handler = handler(context), handler.failure == nil, let localName else { return }
    do throws(SpreadsheetError) { try handler.end(String(cString: localName)) } catch { handler.fail(error) }
}

private let saxCharacters: charactersSAXFunc = { context, bytes, length in
    guard let handler = handler(context), handler.failure == nil, let bytes, length > 0 else { return }
    handler.text(UnsafeBufferPointer(start: bytes, count: Int(length)))
}

private let saxRefuseDTD: internalSubsetSAXFunc = { context, _, _, _ in
    handler(context)?.fail(.unsafeXML(part: "DTD"))
}

private let saxRefuseEntity: entityDeclSAXFunc = { context, _, _, _, _, _ in
    handler(context)?.fail(.unsafeXML(part: "DTD"))
}

private let saxSilence: xmlStructuredErrorFunc = { _, _ in }

/// Excel writes characters that XML cannot carry (and CRs it wants kept) as `_xHHHH_`; a literal
/// `_x` is itself written as `_x005F_x`.
func decodeOOXMLEscapes(_ string: String) -> String {
    guard containsEscapeMarker(string) else { return string }
    var result = ""
    var scalars = Array(string.unicodeScalars)[...]
    while let first = scalars.first {
        if first == "_", scalars.count >= 7 {
            let candidate = scalars.prefix(7)
            let digits = candidate.dropFirst(2).prefix(4)
            let hex = String(String.UnicodeScalarView(digits))
            if candidate[candidate.startIndex + 1] == "x", candidate.last == "_",
               digits.allSatisfy({ $0.properties.isASCIIHexDigit }),
               let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst(7)
                continue
            }
        }
        result.unicodeScalars.append(first)
        scalars = scalars.dropFirst()
    }
    return result
}

/// Whether `_x` occurs, by bytes: Foundation's `contains` goes through NSString on Linux and cost
/// more than the rest of a cell's parse.
func containsEscapeMarker(_ string: String) -> Bool {
    var previous: UInt8 = 0
    for byte in string.utf8 {
        if previous == UInt8(ascii: "_") && byte == UInt8(ascii: "x") { return true }
        previous = byte
    }
    return false
}
