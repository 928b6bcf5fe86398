/// The checks an image attachment (PNG or JPEG) gets in the child, after libmagic has named
/// its type: its structure walked to the end, so a truncated or patched file is refused, and its
/// pixel size read, so a decompression bomb never reaches anyone who opens it.
///
/// PNG: the signature, IHDR first, every chunk's CRC-32, at least one IDAT, IEND last.
/// JPEG: SOI, marker segments with sane lengths up to the first SOS, a frame header (SOFn) with
/// the size before it, and EOI at the end of the file. Neither is decoded: no decoder in this
/// machine's package set is linked into the child (cairo's PNG loader would decode PNG only).
enum ImageInspection {
    struct Measured: Equatable {
        let width: Int
        let height: Int
    }

    enum Problem: Error, Equatable {
        case malformed(String)
        case tooManyPixels(width: Int, height: Int)
    }

    static func check(_ bytes: ByteView, type: String, maximumPixels: Int) -> Result<Measured, Problem> {
        let measured: Result<Measured, Problem>
        switch type {
        case "image/png": measured = png(bytes)
        case "image/jpeg": measured = jpeg(bytes)
        default: return .failure(.malformed("not an image type this checks: \(type)"))
        }
        if case .success(let size) = measured {
            // PNG sizes reach 2^32 - 1 each: their product can pass Int's range.
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            if overflow || pixels > maximumPixels { return .failure(.tooManyPixels(width: size.width, height: size.height)) }
        }
        return measured
    }

    private static func be32(_ b: ByteView, _ at: Int) -> Int {
        Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }

    private static func be16(_ b: ByteView, _ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }

    static func png(_ b: ByteView) -> Result<Measured, Problem> {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard b.count >= 8 + 25 + 12, b[0..<8] == signature else { return .failure(.malformed("no PNG signature")) }
        var at = 8
        var size: Measured?
        var sawData = false
        while at + 12 <= b.count {
            let length = be32(b, at)
            guard length <= 0x7FFF_FFFF, at + 12 + length <= b.count else { return .failure(.malformed("chunk at \(at) runs past the end")) }
            let type = b[(at + 4)..<(at + 8)]
            guard type.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                return .failure(.malformed("chunk at \(at) has no type"))
            }
            let stored = UInt32(truncatingIfNeeded: be32(b, at + 8 + length))
            guard crc32(b, from: at + 4, count: 4 + length) == stored else { return .failure(.malformed("chunk at \(at): CRC mismatch")) }
            let name = String(decoding: type, as: UTF8.self)
            if size == nil {
                guard name == "IHDR", length == 13 else { return .failure(.malformed("IHDR is not first")) }
                let width = be32(b, at + 8), height = be32(b, at + 12)
                guard width > 0, height > 0 else { return .failure(.malformed("zero width or height")) }
                size = Measured(width: width, height: height)
            }
            if name == "IDAT" { sawData = true }
            at += 12 + length
            if name == "IEND" {
                guard sawData, let size else { return .failure(.malformed("no image data")) }
                return .success(size)
            }
        }
        return .failure(.malformed("no IEND: the file is cut short"))
    }

    static func jpeg(_ b: ByteView) -> Result<Measured, Problem> {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return .failure(.malformed("no SOI")) }
        var at = 2
        var size: Measured?
        while at + 4 <= b.count {
            guard b[at] == 0xFF else { return .failure(.malformed("no marker at \(at)")) }
            let marker = b[at + 1]
            if marker == 0xFF { at += 1; continue }  // fill bytes
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { at += 2; continue }  // no length
            let length = be16(b, at + 2)
            guard length >= 2, at + 2 + length <= b.count else { return .failure(.malformed("segment at \(at) runs past the end")) }
            let frames: [UInt8] = [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF]
            if frames.contains(marker) {
                guard length >= 8 else { return .failure(.malformed("short frame header")) }
                let height = be16(b, at + 5), width = be16(b, at + 7)
                guard width > 0, height > 0 else { return .failure(.malformed("zero width or height")) }
                size = Measured(width: width, height: height)
            }
            if marker == 0xDA {
                guard let size else { return .failure(.malformed("scan before the frame header")) }
                // The entropy-coded data runs to EOI, and never holds FF D9 before it (an FF
                // there is followed by 00 or a restart marker), so an FF D9 near the end is EOI:
                // a file cut short has none. Cameras append up to some kilobytes after it.
                let tail = max(at + 2 + length, b.count - 1024 * 1024)
                var end = b.count - 2
                while end >= tail {
                    if b[end] == 0xFF && b[end + 1] == 0xD9 { return .success(size) }
                    end -= 1
                }
                return .failure(.malformed("no EOI: the file is cut short"))
            }
            at += 2 + length
        }
        return .failure(.malformed("no scan"))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ b: ByteView, from start: Int, count: Int) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for i in start..<(start + count) { c = crcTable[Int((c ^ UInt32(b[i])) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
