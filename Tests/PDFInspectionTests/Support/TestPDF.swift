import Foundation

/// A minimal PDF writer for tests: numbered objects, a classic xref table, exact offsets.
///
/// Generated files keep the repository free of binary fixtures and let each test say exactly
/// what it is made of (ISO 32000-1 §7.5).
struct TestPDF {
    private var objects: [Int: [UInt8]] = [:]
    var version = "1.4"

    mutating func add(_ number: Int, _ body: String) {
        objects[number] = Array(body.utf8)
    }

    mutating func addStream(_ number: Int, dictionary: String, data: [UInt8]) {
        var body = Array("<< \(dictionary) /Length \(data.count) >>\nstream\n".utf8)
        body += data
        body += Array("\nendstream".utf8)
        objects[number] = body
    }

    /// The file: header, objects in `order` (default ascending), an optional padding comment
    /// that makes the file exactly `padTo` bytes, the xref table, the trailer.
    func build(root: Int = 1, order: [Int]? = nil, padTo: Int? = nil, trailerExtra: String = "") -> [UInt8] {
        var out = Array("%PDF-\(version)\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int: Int] = [:]
        for number in order ?? objects.keys.sorted() {
            guard let body = objects[number] else { continue }
            offsets[number] = out.count
            out += Array("\(number) 0 obj\n".utf8)
            out += body
            out += Array("\nendobj\n".utf8)
        }
        let size = (objects.keys.max() ?? 0) + 1
        func tail(xrefAt xref: Int) -> [UInt8] {
            var table = "xref\n0 \(size)\n0000000000 65535 f \n"
            for number in 1..<size {
                if let offset = offsets[number] {
                    table += String(format: "%010d 00000 n \n", offset)
                } else {
                    table += "0000000000 00000 f \n"
                }
            }
            table += "trailer\n<< /Size \(size) /Root \(root) 0 R \(trailerExtra)>>\nstartxref\n\(xref)\n%%EOF\n"
            return Array(table.utf8)
        }
        if let padTo {
            // The table's length depends on the xref offset's digit count only, so two passes
            // settle it. A comment may run as long as it likes.
            var padding = 0
            for _ in 0..<3 {
                let total = out.count + (padding > 0 ? padding + 2 : 0) + tail(xrefAt: out.count + padding + 2).count
                padding += padTo - total
            }
            precondition(padding >= 0, "cannot pad down to \(padTo) bytes")
            if padding > 0 {
                out.append(UInt8(ascii: "%"))
                out += [UInt8](repeating: UInt8(ascii: "x"), count: padding)
                out.append(0x0A)
            }
        }
        out += tail(xrefAt: out.count)
        if let padTo { precondition(out.count == padTo, "padded to \(out.count), wanted \(padTo)") }
        return out
    }

    static let a4Width = 595.28
    static let a4Height = 841.89

    /// A scanned-looking form: `pages` A4 pages, each one full-page grey image of
    /// `imageWidth` × `imageHeight` pixels (uncompressed, so ~w×h bytes a page). The catalog and
    /// page tree come first, as most writers put them, so a truncated copy still has them.
    static func scannedForm(pages: Int, imageWidth: Int = 620, imageHeight: Int = 877, padTo: Int? = nil) -> [UInt8] {
        var pdf = TestPDF()
        let kids = (0..<pages).map { "\(3 + 3 * $0) 0 R" }.joined(separator: " ")
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>")
        let image = noise(count: imageWidth * imageHeight)
        for index in 0..<pages {
            let page = 3 + 3 * index
            pdf.add(
                page,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(a4Width) \(a4Height)] /Contents \(page + 1) 0 R "
                    + "/Resources << /XObject << /Im0 \(page + 2) 0 R >> >> >>")
            pdf.addStream(page + 1, dictionary: "", data: Array("q \(a4Width) 0 0 \(a4Height) 0 0 cm /Im0 Do Q".utf8))
            pdf.addStream(
                page + 2,
                dictionary:
                    "/Type /XObject /Subtype /Image /Width \(imageWidth) /Height \(imageHeight) /ColorSpace /DeviceGray /BitsPerComponent 8",
                data: image)
        }
        return pdf.build(padTo: padTo)
    }

    /// One page with one image declared `width` × `height` pixels but carrying almost no data:
    /// poppler pads the missing rows, so decoding it needs a width×height×4 surface (a memory bomb
    /// in a few hundred bytes).
    static func hugeImage(width: Int, height: Int) -> [UInt8] {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        pdf.add(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(a4Width) \(a4Height)] /Contents 4 0 R "
                + "/Resources << /XObject << /Im0 5 0 R >> >> >>")
        pdf.addStream(4, dictionary: "", data: Array("q \(a4Width) 0 0 \(a4Height) 0 0 cm /Im0 Do Q".utf8))
        pdf.addStream(
            5,
            dictionary:
                "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8",
            data: [UInt8](repeating: 0x80, count: 16))
        return pdf.build()
    }

    /// One page whose content draws form F0 `fanout` times, F0 draws F1 `fanout` times, … for
    /// `levels` levels: fanout^levels drawing operations from a file of a few kilobytes (the PDF
    /// "billion laughs"). Each innermost form draws a small image, so every walk of the page
    /// (poppler's image mapping) does them all.
    static func amplificationBomb(levels: Int = 8, fanout: Int = 10) -> [UInt8] {
        var pdf = TestPDF()
        let firstForm = 6
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        pdf.add(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(a4Width) \(a4Height)] /Contents 4 0 R "
                + "/Resources << /XObject << /F \(firstForm) 0 R >> >> >>")
        pdf.addStream(4, dictionary: "", data: Array(String(repeating: "/F Do ", count: fanout).utf8))
        pdf.addStream(
            5, dictionary: "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
            data: [0, 255, 255, 0])
        for level in 0..<levels {
            let number = firstForm + level
            let isLast = level == levels - 1
            let resources = isLast ? "/XObject << /Im 5 0 R >>" : "/XObject << /F \(number + 1) 0 R >>"
            let body = isLast ? "q 1 0 0 1 0 0 cm /Im Do Q " : String(repeating: "/F Do ", count: fanout)
            pdf.addStream(
                number, dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << \(resources) >>",
                data: Array(body.utf8))
        }
        return pdf.build()
    }

    /// Deterministic grey noise (a scan does not compress well either).
    static func noise(count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                buffer[index] = UInt8(truncatingIfNeeded: state >> 56)
            }
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    /// Start of the last occurrence of `needle`, or nil.
    func lastOffset(of needle: String) -> Int? {
        let needle = Array(needle.utf8)
        guard count >= needle.count else { return nil }
        return stride(from: count - needle.count, through: 0, by: -1).first { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
