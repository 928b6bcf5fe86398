import CMagic
import CPoppler
import Crypto
import Foundation

/// Decides whether a file is an acceptable e-archive PDF (ARC-2), in this process.
///
/// This parses untrusted bytes with poppler and libmagic: the server must never call it; it
/// runs in the `zhtj inspect` child that ``IsolatedInspector`` starts under resource limits.
///
/// Checks, in order (the first that fails is the refusal):
/// 1. `empty` (400): 0 bytes.
/// 2. `too_large` (413): over `policy.maximumBytes`; the file is not read.
/// 3. `not_pdf` (415): libmagic does not say `application/pdf`. One exception (decided): when
///    libmagic says only `application/octet-stream` (it recognises nothing) and `%PDF-` starts
///    within the first 1024 bytes, the file is a PDF with leading junk, which the PDF reference
///    (PDF 1.7, implementation note 13), Acrobat and poppler all accept — provided libmagic
///    recognises nothing in the junk alone either (plain text or unknown bytes): a prefix that
///    is itself HTML, script, an image or an archive makes a polyglot, refused. `headerOffset`
///    in the report says how much junk there was. A file without any `%PDF-` header is never a
///    PDF here, even when poppler could salvage pages from it (corpus `fuzz-16214.pdf`).
/// 4. `encrypted` (422): poppler needs a password (POPPLER_ERROR_ENCRYPTED), or — for
///    owner-password-only files, which poppler-glib opens silently — a trailer or
///    cross-reference stream dictionary names `/Encrypt` (read structurally, see
///    ``PDFStructure``), or poppler reports restricted permissions.
/// 5. `damaged` (422): poppler cannot open the document, it has no pages, or a page cannot be
///    loaded.
/// 6. `wrong_page_count` (422): the page count is outside `policy.pageRange`.
///
/// `repaired` is decided structurally (poppler-glib cannot say): the last `startxref` must lead
/// to a chain of `xref` tables / cross-reference streams (through `/Prev` and `/XRefStm`,
/// without loops) where every in-use table entry (and every entry of an unfiltered stream)
/// points at its `N G obj`. Otherwise a reader has to rebuild the table by scanning, and the
/// report says `repaired: true` with the reason; such a file is still accepted when poppler
/// reads all of its pages.
///
/// The file is mapped read-only, never copied: libmagic, the structure checks and poppler all
/// read the same mapped bytes, and only the pages they touch are ever loaded. With a SHA-256
/// the caller already knows (`--sha256`), a 19 MiB scan is read a few kilobytes deep; without
/// it, hashing reads it once. Image pixel sizes come from the image dictionaries where
/// ``PDFPageImages`` can read the page and poppler's image mapping agrees, else from poppler
/// decoding the image (see the end of ``inspect(bytes:policy:sha256:measurement:)``).
public enum PDFInspector {
    /// Images measured per page; a scanned form has one. A page whose images are not read from
    /// their dictionaries (see ``PDFPageImages``) has them decoded, so a page of thousands of
    /// image strips must not cost thousands of decodes.
    public static let maximumImagesPerPage = 16
    /// Pages whose size is listed and whose loading is checked.
    public static let maximumPagesExamined = 2_000

    /// Inspects the file at `path` under `policy`. Never throws: every outcome is a report.
    public static func inspect(fileAt path: String, policy: InspectionPolicy) -> InspectionReport {
        inspect(fileAt: path, policy: policy, sha256: nil)
    }

    /// Inspects the file at `path` under `policy`; the report's `sha256` is `sha256` when given
    /// (lower-case hex, 64 characters: the caller hashed the content already, e.g. while
    /// receiving it) and is then not recomputed. Whether it is the file's true hash is the
    /// caller's business: this function neither checks nor reads the whole file for it.
    /// Anything but 64 hex digits is ignored (the file is hashed); upper case is lower-cased.
    public static func inspect(fileAt path: String, policy: InspectionPolicy, sha256: String?) -> InspectionReport {
        let known = sha256.flatMap { isSHA256Hex($0) ? $0.lowercased() : nil }
        return inspectFile(path, policy: policy, sha256: known).report
    }

    /// How the images were measured (tests; never part of the report).
    struct Statistics: Equatable {
        /// Pages whose images were read from their dictionaries, checked against poppler's mapping.
        var pagesFromDictionaries = 0
        /// Pages with images that poppler decoded.
        var pagesDecoded = 0
    }

    /// How image sizes are found (tests compare the two).
    enum ImageMeasurement {
        /// From the image dictionaries where the page is within ``PDFPageImages``'s model and
        /// poppler's mapping agrees; decoded elsewhere.
        case dictionariesWhereVerified
        /// Every image decoded by poppler.
        case decode
    }

    static func inspectFile(
        _ path: String, policy: InspectionPolicy, sha256: String?, measurement: ImageMeasurement = .dictionariesWhereVerified
    ) -> (report: InspectionReport, statistics: Statistics) {
        switch MappedFile.map(path, limit: policy.maximumBytes) {
        case .failure(let problem):
            var report = InspectionReport(
                accepted: false, refusal: .damaged, detectedType: "application/octet-stream", bytes: 0, sha256: "")
            report.failure = "io"
            report.failureDetail = problem
            return (report, Statistics())
        case .tooLarge(let size):
            return (tooLargeReport(bytes: size, policy: policy), Statistics())
        case .empty:
            return (emptyReport(), Statistics())
        case .mapped(let file):
            return inspect(bytes: ByteView(file), policy: policy, sha256: sha256, measurement: measurement)
        }
    }

    /// The refusal for an empty file, without reading it (the parent uses it before spawning).
    static func emptyReport() -> InspectionReport {
        InspectionReport(
            accepted: false, refusal: .empty, detectedType: "inode/x-empty", bytes: 0,
            sha256: hexSHA256(ByteView(copying: [])))
    }

    /// The refusal for an over-size file, without reading it (the parent uses it before
    /// spawning): hostile huge files are never parsed, nor hashed.
    static func tooLargeReport(bytes: Int, policy: InspectionPolicy) -> InspectionReport {
        InspectionReport(
            accepted: false, refusal: .tooLarge(limitBytes: policy.maximumBytes),
            detectedType: "application/octet-stream", bytes: bytes, sha256: "")
    }

    /// The checks on a copy of `bytes` (tests).
    static func inspect(bytes: [UInt8], policy: InspectionPolicy) -> InspectionReport {
        inspect(bytes: ByteView(copying: bytes), policy: policy, sha256: nil).report
    }

    /// The checks after mapping; `bytes` is the whole file.
    static func inspect(
        bytes: ByteView, policy: InspectionPolicy, sha256 knownSHA256: String?,
        measurement: ImageMeasurement = .dictionariesWhereVerified
    ) -> (report: InspectionReport, statistics: Statistics) {
        var statistics = Statistics()
        if bytes.isEmpty { return (emptyReport(), statistics) }
        if bytes.count > policy.maximumBytes { return (tooLargeReport(bytes: bytes.count, policy: policy), statistics) }

        var report = InspectionReport(
            accepted: false, refusal: nil, detectedType: "application/octet-stream", bytes: bytes.count,
            sha256: knownSHA256 ?? hexSHA256(bytes))
        func refuse(_ refusal: Refusal) -> (report: InspectionReport, statistics: Statistics) {
            report.refusal = refusal
            report.accepted = false
            return (report, statistics)
        }

        guard let detectedType = detectMIMEType(bytes) else {
            // Not the file's fault: the server's environment is broken. Say so, do not guess.
            report.failure = "magic_unavailable"
            report.failureDetail = "libmagic could not load its database or failed its self-test"
            return refuse(.inspectionUnavailable)
        }
        report.detectedType = detectedType

        let structure = PDFStructure.analyse(bytes)
        report.headerOffset = structure.headerOffset
        report.pdfVersion = structure.headerVersion
        guard detectedType == "application/pdf" || hasTolerableJunk(bytes, detectedType: detectedType, structure: structure)
        else {
            return refuse(.notPDF)
        }

        report.repaired = !structure.xrefIntact
        report.repairReason = structure.xrefProblem
        report.encrypted = structure.encryptDeclared

        let document: PopplerDocument
        do {
            document = try PopplerDocument(bytes: bytes)
        } catch {
            switch error {
            case .encrypted:
                report.encrypted = true
                return refuse(.encrypted)
            case .unreadable(let message):
                // A file that declares encryption is refused as encrypted even when poppler
                // cannot read it (a broken encryption dictionary): that is what to tell the user.
                if report.encrypted { return refuse(.encrypted) }
                report.failureDetail = message.isEmpty ? nil : "poppler: \(message)"
                return refuse(.damaged)
            }
        }
        report.pdfVersion = document.version
        let pageCount = document.pageCount
        report.pages = pageCount
        if !document.hasFullPermissions { report.encrypted = true }
        if report.encrypted { return refuse(.encrypted) }
        guard pageCount > 0 else { return refuse(.damaged) }

        var pages: [PopplerPage] = []
        for index in 0..<min(pageCount, maximumPagesExamined) {
            guard let page = document.page(at: index) else {
                report.failureDetail = "page \(index + 1) cannot be loaded"
                return refuse(.damaged)
            }
            let size = page.size
            guard size.width > 0, size.height > 0, size.width.isFinite, size.height.isFinite else {
                report.failureDetail = "page \(index + 1) has no usable size"
                return refuse(.damaged)
            }
            report.pageSizes.append(PageSize(page: index + 1, width: hundredths(size.width), height: hundredths(size.height)))
            pages.append(page)
        }
        guard policy.pageRange.contains(pageCount) else {
            return refuse(.wrongPageCount(actual: pageCount, expected: policy.pageRange))
        }

        // Measured last and only for files that pass. An image's pixel size is what poppler
        // decodes it at; where the page is simple enough to read (and poppler's own mapping of
        // the page agrees), it comes from the image's dictionary and only the surface poppler
        // would decode into is allocated (see `PopplerPage.probeSurface`), so the memory check
        // is the same; elsewhere poppler decodes the image.
        let catalog = measurement == .decode ? nil : PDFPageImages(bytes: bytes, structure: structure, pageCount: pageCount)
        for (index, page) in pages.enumerated() {
            let placements = page.imagePlacements()
            guard !placements.isEmpty else { continue }
            let known = catalog.flatMap { verifiedDraws($0, page: page, index: index, placements: placements) }
            if known != nil { statistics.pagesFromDictionaries += 1 } else { statistics.pagesDecoded += 1 }
            for placement in placements.prefix(maximumImagesPerPage) {
                let size: PopplerPage.PixelSize
                if let draw = known?[placement.id] {
                    size = PopplerPage.probeSurface(width: draw.pixelWidth, height: draw.pixelHeight)
                } else {
                    size = page.imagePixelSize(id: placement.id)
                }
                switch size {
                case .size(let width, let height):
                    report.images.append(
                        PageImage(
                            page: index + 1, imageID: placement.id, pixelWidth: width, pixelHeight: height,
                            width: hundredths(placement.width), height: hundredths(placement.height)))
                case .outOfMemory:
                    // poppler and cairo survive a failed allocation and would draw nothing; a
                    // page that cannot be decoded within the limit is not accepted as readable.
                    report.failure = "memory"
                    report.failureDetail = "image \(placement.id) on page \(index + 1) does not fit in memory"
                    return refuse(.memoryExhausted)
                case .unavailable:
                    continue
                }
            }
            report.imagesNotMeasured += max(0, placements.count - maximumImagesPerPage)
        }
        report.accepted = true
        return (report, statistics)
    }

    /// The page's draws by poppler image id, when ``PDFPageImages`` reads the page and poppler's
    /// mapping agrees with it: as many images, the same rotation, and each image over the same
    /// area (within the rounding of poppler's `getScaledSize`). Nil otherwise.
    static func verifiedDraws(
        _ catalog: PDFPageImages, page: PopplerPage, index: Int, placements: [PopplerPage.ImagePlacement]
    ) -> [PDFPageImages.Draw]? {
        // poppler's image output device draws the page over its crop box.
        let crop = page.cropBox
        guard let rotation = catalog.rotation(ofPage: index),
            let draws = catalog.draws(onPage: index, box: crop, rotation: rotation), draws.count == placements.count,
            Set(placements.map(\.id)) == Set(draws.indices)
        else { return nil }
        let size = page.size
        let (cropWidth, cropHeight) = (crop.x2 - crop.x1, crop.y2 - crop.y1)
        let (expectedWidth, expectedHeight) = rotation % 180 == 0 ? (cropWidth, cropHeight) : (cropHeight, cropWidth)
        guard abs(size.width - expectedWidth) < 0.01, abs(size.height - expectedHeight) < 0.01 else { return nil }
        for placement in placements {
            let expected = expectedArea(of: draws[placement.id], crop: crop)
            let actual = [placement.area.x1, placement.area.y1, placement.area.x2, placement.area.y2]
            for (want, have) in zip(expected, actual) where !(abs(want - have) <= 2) { return nil }
        }
        return draws
    }

    /// poppler's `CairoImageOutputDev::getBBox` less the crop box's corner (as
    /// `poppler_page_get_image_mapping` reports it), up to the pixel rounding of
    /// `getScaledSize`: the image's unit square scaled by the CTM's singular values — the larger
    /// one across when the image is wider than tall, else down.
    static func expectedArea(of draw: PDFPageImages.Draw, crop: PDFPageImages.Rectangle) -> [Double] {
        let m = draw.matrix
        // cairo's matrix for the image, as getBBox builds it from the CTM.
        let (xx, yx, xy, yy) = (m.a, m.b, -m.c, -m.d)
        let (x0, y0) = (m.c + m.e, m.d + m.f)
        let a = xx * xx + yx * yx
        let b = xy * xy + yy * yy
        let k = xx * xy + yx * yy
        let f = (a + b) / 2
        let g = (a - b) / 2
        let delta = (g * g + k * k).squareRoot()
        let major = (f + delta).squareRoot()
        let minor = max(0, f - delta).squareRoot()
        let (width, height) = draw.pixelWidth > draw.pixelHeight ? (major, minor) : (minor, major)
        let x1 = (xx >= 0 ? x0 : x0 - width) - crop.x1
        let y1 = (yy >= 0 ? y0 : y0 - height) - crop.y1
        return [x1, y1, x1 + width, y1 + height]
    }

    /// Junk before `%PDF-` is tolerated when libmagic recognises nothing in the whole file, and
    /// nothing in the junk either (a polyglot with an HTML, script or image prefix is refused;
    /// libmagic calls the whole of such a file octet-stream because the scan after it is binary).
    static func hasTolerableJunk(_ bytes: ByteView, detectedType: String, structure: PDFStructure) -> Bool {
        guard let offset = structure.headerOffset, offset > 0, detectedType == "application/octet-stream",
            let junkType = MagicDatabase.shared.mimeType(of: ByteView(copying: bytes[0..<offset]))
        else { return false }
        return ["application/octet-stream", "text/plain"].contains(junkType)
    }

    /// Points to 1/100 (595.2760000000001 → 595.28): finer says nothing about a scan.
    static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    static func hexSHA256(_ bytes: ByteView) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// True for 64 hex digits (either case): what `--sha256` accepts.
    public static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
    }

    /// Loads what inspection needs from the system before any resource limit applies: the
    /// libmagic database is mapped into memory, and under a tight `RLIMIT_AS` libmagic silently
    /// falls back to a text database that recognises nothing. `zhtj inspect` calls this first.
    ///
    /// It also pins glibc's mmap threshold (to its initial 128 KiB): otherwise freeing one large
    /// block raises the threshold, later image surfaces come from the heap, and `calloc` clears
    /// them page by page — which would make ``PopplerPage/probeSurface(width:height:)`` touch
    /// every byte of a surface it only needs to allocate.
    public static func prepare() {
        _ = MagicDatabase.shared
        #if canImport(Glibc)
        // mallopt(M_MMAP_THRESHOLD, 128 KiB); the Glibc module does not export malloc.h.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(nil, "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 128 * 1024)
        }
        #endif
    }

    /// libmagic's MIME type for the content, nil when libmagic is unusable.
    static func detectMIMEType(_ bytes: ByteView) -> String? {
        MagicDatabase.shared.mimeType(of: bytes)
    }
}
