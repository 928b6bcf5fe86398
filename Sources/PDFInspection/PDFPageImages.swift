/// The images each page draws, read from the file instead of decoded by poppler: the pixel size
/// an image is decoded at is its dictionary's `/Width` × `/Height` (poppler's `Gfx::doImage`
/// hands exactly those to the output device, which makes a cairo surface of that size).
///
/// This is a model of what poppler's `Gfx` does with a page, for the simple pages scans are
/// made of: `q`/`cm`/`Q`, image XObjects drawn with `Do`, and drawing, colour, text and
/// marked-content operators that cannot draw an image. Whatever falls outside the model makes
/// ``draws(onPage:box:rotation:)`` answer nil — form XObjects, inline images, shadings, patterns, soft masks
/// in an ExtGState, optional content, Type 3 glyph procedures, an operator with the wrong
/// operands, an unusual page tree, a filter other than Flate on a content stream — and the
/// caller then asks poppler to decode the page's images as before. Callers also check the
/// answer against poppler's own image mapping of the page (same number of images, same areas)
/// before trusting it.
final class PDFPageImages {
    /// An image the page draws, in drawing order (poppler's image id is the index).
    struct Draw: Equatable {
        var pixelWidth: Int
        var pixelHeight: Int
        /// The current transformation matrix at the `Do`, in poppler's device space (72 dpi,
        /// y down, the page's /Rotate applied).
        var matrix: Matrix
    }

    /// `[a b c d e f]` as in `cm` (row vectors: x' = a·x + c·y + e).
    struct Matrix: Equatable {
        var a, b, c, d, e, f: Double

        /// `self` applied first, then `other` (`cm` makes the new CTM `m.concatenating(ctm)`).
        func concatenating(_ other: Matrix) -> Matrix {
            Matrix(
                a: a * other.a + b * other.c, b: a * other.b + b * other.d,
                c: c * other.a + d * other.c, d: c * other.b + d * other.d,
                e: e * other.a + f * other.c + other.e, f: e * other.b + f * other.d + other.f)
        }

        var determinant: Double { a * d - b * c }
        var isFinite: Bool { [a, b, c, d, e, f].allSatisfy(\.isFinite) }
    }

    struct Rectangle: Equatable {
        var x1, y1, x2, y2: Double
    }

    private struct Page {
        var dictionary: [String: PDFValue]
        var resources: [String: PDFValue]?
        /// /Rotate, inherited, in 0…359; nil when it is not a multiple of 90 or not an integer.
        var rotation: Int?
    }

    private let objects: PDFObjects
    private let pages: [Page]

    /// Pages of the tree at most (nodes included).
    static let maximumTreeNodes = 50_000
    /// Operators interpreted on one page at most.
    static let maximumOperators = 1_000_000
    /// `q` nesting at most.
    static let maximumSaveDepth = 256
    /// Decoded content per page at most.
    static let maximumContentBytes = 8 << 20

    /// Nil when the file is not one the model covers (broken or encrypted cross-reference data,
    /// optional content, a page tree that is not plainly a tree of `pageCount` pages).
    init?(bytes: ByteView, structure: PDFStructure, pageCount: Int) {
        guard let objects = PDFObjects(bytes: bytes, structure: structure),
            let catalog = objects.dictionary(objects.trailer["Root"]),
            catalog["OCProperties"] == nil,
            case .reference? = catalog["Pages"],
            let root = objects.dictionary(catalog["Pages"]), root["Type"]?.nameValue == "Pages",
            objects.resolve(root["Count"])?.intValue == pageCount
        else { return nil }
        self.objects = objects
        var pages: [Page] = []
        var visited = Set<Int>()
        if case .reference(let number, _)? = catalog["Pages"] { visited.insert(number) }
        guard
            Self.walk(
                node: root, attributes: Attributes(resources: nil, rotation: 0), objects: objects,
                visited: &visited, pages: &pages, depth: 0),
            pages.count == pageCount
        else { return nil }
        self.pages = pages
    }

    /// Depth first, kids in order, as poppler's `Catalog::cachePageTree`; any node that is not
    /// plainly a `/Pages` node or a `/Page` leaf, and any object met twice, ends the walk.
    private static func walk(
        node: [String: PDFValue], attributes: Attributes, objects: PDFObjects, visited: inout Set<Int>,
        pages: inout [Page], depth: Int
    ) -> Bool {
        guard depth < 64, let kids = objects.resolve(node["Kids"])?.arrayValue else { return false }
        let attributes = attributes.inherited(by: node, objects: objects)
        for kid in kids {
            guard case .reference(let number, _) = kid, visited.insert(number).inserted,
                visited.count <= maximumTreeNodes, let dictionary = objects.dictionary(kid)
            else { return false }
            switch dictionary["Type"]?.nameValue {
            case "Page" where dictionary["Kids"] == nil:
                let page = attributes.inherited(by: dictionary, objects: objects)
                pages.append(
                    Page(dictionary: dictionary, resources: page.resources, rotation: page.rotation))
            case "Pages" where dictionary["Kids"] != nil:
                guard
                    walk(
                        node: dictionary, attributes: attributes, objects: objects, visited: &visited, pages: &pages,
                        depth: depth + 1)
                else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// What pages inherit from the nodes above them, as poppler's `PageAttrs` reads it.
    private struct Attributes {
        var resources: [String: PDFValue]?
        var rotation: Int?

        /// A node's /Resources replaces the inherited ones when it is a dictionary; its /Rotate
        /// when it is an integer (then taken modulo 360). What poppler would read otherwise is
        /// not modelled: the value becomes nil and the page is left to poppler.
        func inherited(by node: [String: PDFValue], objects: PDFObjects) -> Attributes {
            var next = self
            if let value = node["Resources"] {
                if let dictionary = objects.dictionary(value) {
                    next.resources = dictionary
                } else if objects.resolve(value) == nil {
                    next.resources = nil
                }
            }
            if let value = node["Rotate"] {
                if case .int(let degrees)? = objects.resolve(value), degrees % 90 == 0 {
                    next.rotation = (degrees % 360 + 360) % 360
                } else {
                    next.rotation = nil
                }
            }
            return next
        }
    }

    // MARK: - A page's content

    /// The images page `index` (0-based) draws, in order, in the device space poppler's image
    /// output device uses for a page drawn over `box` (its crop box) rotated by `rotation`; nil
    /// when the page uses anything outside the model.
    func draws(onPage index: Int, box: Rectangle, rotation: Int) -> [Draw]? {
        guard index >= 0, index < pages.count, let content = content(of: pages[index]) else { return nil }
        var interpreter = ContentInterpreter(
            objects: objects, resources: pages[index].resources, baseMatrix: Self.baseMatrix(box: box, rotation: rotation))
        return interpreter.run(content)
    }

    /// The page's /Rotate as the model reads it (0, 90, 180 or 270), nil when not modelled.
    func rotation(ofPage index: Int) -> Int? {
        index >= 0 && index < pages.count ? pages[index].rotation : nil
    }

    /// The page's content streams, decoded and joined (poppler's lexer ends a token where one
    /// stream ends, hence the line feed between them).
    private func content(of page: Page) -> [UInt8]? {
        guard let value = page.dictionary["Contents"] else { return [] }
        var streams: [PDFValue] = []
        if case .reference(let number, let generation) = value, let object = objects.object(number, generation: generation) {
            switch object {
            case .stream: streams = [value]
            case .value(.array(let items)): streams = items
            case .value(.null): return []
            default: return nil
            }
        } else if case .array(let items) = value {
            streams = items
        } else if case .null = value {
            return []
        } else {
            return nil
        }
        var content: [UInt8] = []
        for item in streams {
            guard let (number, stream) = objects.stream(item), let data = objects.decode(stream, number: number),
                content.count + data.count < Self.maximumContentBytes
            else { return nil }
            if !content.isEmpty { content.append(0x0A) }
            content += data
        }
        return content
    }

    /// poppler's `GfxState` at 72 dpi for a device whose y axis points down, over `box`.
    static func baseMatrix(box: Rectangle, rotation: Int) -> Matrix {
        switch rotation {
        case 90: Matrix(a: 0, b: 1, c: 1, d: 0, e: -box.y1, f: -box.x1)
        case 180: Matrix(a: -1, b: 0, c: 0, d: 1, e: box.x2, f: -box.y1)
        case 270: Matrix(a: 0, b: -1, c: -1, d: 0, e: box.y2, f: box.x2)
        default: Matrix(a: 1, b: 0, c: 0, d: -1, e: -box.x1, f: box.y2)
        }
    }
}

extension PDFValue {
    /// An integer or a real, as a double (poppler's `isNum`).
    var numberValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }
}

/// Runs a page's content far enough to list its image draws; nil at the first thing outside the
/// model (see ``PDFPageImages``).
private struct ContentInterpreter {
    let objects: PDFObjects
    let resources: [String: PDFValue]?
    var matrix: PDFPageImages.Matrix
    var saved: [PDFPageImages.Matrix] = []
    var draws: [PDFPageImages.Draw] = []

    init(objects: PDFObjects, resources: [String: PDFValue]?, baseMatrix: PDFPageImages.Matrix) {
        self.objects = objects
        self.resources = resources
        self.matrix = baseMatrix
    }

    /// What an operator takes, exactly (poppler's operator table; a variable count is a range).
    private enum Operand {
        case number, integer, name, string, array, properties
    }

    private static let fixed: [String: [Operand]] = {
        var table: [String: [Operand]] = [:]
        for name in ["B", "B*", "BT", "EMC", "ET", "F", "Q", "S", "T*", "W", "W*", "b", "b*", "f", "f*", "h", "n", "q", "s"] {
            table[name] = []
        }
        for name in ["G", "g", "M", "w", "i", "TL", "Tc", "Tw", "Tz", "Ts"] { table[name] = [.number] }
        for name in ["J", "j", "Tr"] { table[name] = [.integer] }
        for name in ["BMC", "MP", "ri", "CS", "cs", "gs", "Do"] { table[name] = [.name] }
        for name in ["BDC", "DP"] { table[name] = [.name, .properties] }
        for name in ["TD", "Td", "l", "m"] { table[name] = [.number, .number] }
        for name in ["RG", "rg"] { table[name] = [.number, .number, .number] }
        for name in ["K", "k", "re", "v", "y"] { table[name] = [.number, .number, .number, .number] }
        for name in ["Tm", "c", "cm"] { table[name] = Array(repeating: .number, count: 6) }
        table["TJ"] = [.array]
        table["Tj"] = [.string]
        table["'"] = [.string]
        table["\""] = [.number, .number, .string]
        table["Tf"] = [.name, .number]
        table["d"] = [.array, .number]
        return table
    }()

    private static func matches(_ value: PDFValue, _ kind: Operand) -> Bool {
        switch (kind, value) {
        case (.number, .int), (.number, .real), (.integer, .int), (.name, .name), (.string, .string), (.array, .array),
            (.properties, .dictionary), (.properties, .name):
            return true
        default:
            return false
        }
    }

    mutating func run(_ content: [UInt8]) -> [PDFPageImages.Draw]? {
        let view = ByteView(copying: content)
        var lexer = PDFLexer(bytes: view, position: 0, budget: view.count)
        lexer.strict = true
        var operands: [PDFValue] = []
        var operators = 0
        while true {
            lexer.skipWhitespace()
            guard let byte = lexer.peek() else { break }
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "<"), UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "+"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard let value = lexer.parseValue(), operands.count < 33 else { return nil }
                if case .reference = value { return nil }
                operands.append(value)
            default:
                guard let keyword = lexer.readKeyword() else { return nil }
                switch keyword {
                case "true": operands.append(.bool(true))
                case "false": operands.append(.bool(false))
                case "null": operands.append(.null)
                default:
                    operators += 1
                    guard operators <= PDFPageImages.maximumOperators, execute(keyword, operands) else { return nil }
                    operands.removeAll(keepingCapacity: true)
                }
            }
        }
        // Leftover operands: poppler complains and carries on; the model does not guess.
        return operands.isEmpty ? draws : nil
    }

    private mutating func execute(_ name: String, _ operands: [PDFValue]) -> Bool {
        switch name {
        case "sc", "SC":
            return (1...4).contains(operands.count) && operands.allSatisfy { Self.matches($0, .number) }
        case "scn", "SCN":
            // A pattern name would make the colour a pattern: outside the model.
            return (1...32).contains(operands.count) && operands.allSatisfy { Self.matches($0, .number) }
        default:
            break
        }
        guard let signature = Self.fixed[name], signature.count == operands.count,
            zip(operands, signature).allSatisfy({ Self.matches($0, $1) })
        else { return false }
        switch name {
        case "q":
            guard saved.count < PDFPageImages.maximumSaveDepth else { return false }
            saved.append(matrix)
        case "Q":
            guard let last = saved.popLast() else { return false }
            matrix = last
        case "cm":
            let n = operands.map { $0.numberValue! }
            let next = PDFPageImages.Matrix(a: n[0], b: n[1], c: n[2], d: n[3], e: n[4], f: n[5]).concatenating(matrix)
            guard next.isFinite else { return false }
            matrix = next
        case "cs", "CS":
            // Device colour spaces only: a named space could be a pattern space.
            // poppler looks a name up in the resources first, so the page must not redefine it.
            guard case .name(let space) = operands[0], ["DeviceGray", "DeviceRGB", "DeviceCMYK"].contains(space) else {
                return false
            }
            if let spaces = resources?["ColorSpace"] {
                guard let spaces = objects.dictionary(spaces), spaces[space] == nil else { return false }
            }
        case "gs":
            return graphicsStateIsHarmless(operands[0])
        case "Do":
            return drawXObject(operands[0])
        default:
            break
        }
        return true
    }

    /// An ExtGState without a soft mask (a mask group is a form that may draw images).
    private func graphicsStateIsHarmless(_ name: PDFValue) -> Bool {
        guard case .name(let key) = name, let states = objects.dictionary(resources?["ExtGState"]),
            let state = objects.dictionary(states[key])
        else { return false }
        if let mask = state["SMask"] { return objects.resolve(mask) == .name("None") }
        return true
    }

    private mutating func drawXObject(_ name: PDFValue) -> Bool {
        guard case .name(let key) = name, let xobjects = objects.dictionary(resources?["XObject"]),
            let (_, stream) = objects.stream(xobjects[key]),
            objects.resolve(stream.dictionary["Subtype"]) == .name("Image")
        else { return false }
        let dictionary = stream.dictionary
        func dimension(_ long: String, _ short: String) -> Int? {
            var value = objects.resolve(dictionary[long])
            if dictionary[long] == nil || value == .null { value = objects.resolve(dictionary[short]) }
            switch value {
            case .int(let integer)?: return integer
            case .real(let real)? where abs(real) < 2_147_483_647: return Int(real)  // C's (int) cast
            default: return nil
            }
        }
        guard let width = dimension("Width", "W"), let height = dimension("Height", "H"), width >= 1, height >= 1,
            width <= Int(Int32.max) / height
        else { return false }
        // poppler skips images drawn with a singular matrix; the model does not guess either way.
        guard abs(matrix.determinant) > 1e-5 else { return false }
        draws.append(PDFPageImages.Draw(pixelWidth: width, pixelHeight: height, matrix: matrix))
        return true
    }
}
