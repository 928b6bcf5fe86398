import CMagic
import CPoppler
import Crypto
// FoundationEssentials, not Foundation: the `zhtj-inspect` child links this module, and loading
// Foundation with its ICU data was a third of the child's start-up.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a file is an acceptable e-archive PDF (ARC-2), in this process.
///
/// This parses untrusted bytes with qpdf, poppler and libmagic: the server must never call it;
/// it runs in the `zhtj-inspect` child that ``IsolatedInspector`` starts under resource limits.
///
/// Checks, in order (the first that fails is the refusal):
/// 1. `empty`: 0 bytes.
/// 2. `too_large`: over `policy.maximumBytes`; the file is not read.
/// 3. `not_pdf`: libmagic does not say `application/pdf`. One exception (decided): when
///    libmagic says only `application/octet-stream` (it recognises nothing) and `%PDF-` starts
///    within the first 1024 bytes, the file is a PDF with leading junk, which the PDF reference
///    (PDF 1.7, implementation note 13), Acrobat, qpdf and poppler all accept — provided libmagic
///    recognises nothing in the junk alone either (plain text or unknown bytes): a prefix that
///    is itself HTML, script, an image or an archive makes a polyglot, refused. `headerOffset`
///    in the report says how much junk there was. A file without any `%PDF-` header is never a
///    PDF here, even when a reader could salvage pages from it (corpus `fuzz-16214.pdf`).
/// 4. `encrypted`: qpdf finds an encryption dictionary of any kind (a user password, or an
///    owner password only, which poppler-glib opens silently), poppler needs a password, or
///    poppler reports restricted permissions.
/// 5. `damaged`: poppler cannot open the document, it has no pages, a page cannot be loaded,
///    or qpdf and poppler count different pages (two readers disagree: neither is trusted).
/// 6. `wrong_page_count`: the page count is outside `policy.pageRange`.
///
/// `repaired` is qpdf's verdict: it warned while reading (a broken cross-reference table or
/// entry that it rebuilt by scanning, a damaged object it recovered, a malformed name), having
/// resolved every object the trailer announces; or qpdf could not read the file at all and
/// poppler's reconstruction is what reads it. Such a file is still accepted when poppler loads
/// all of its pages; `warnings` and `repairReason` say how much and what.
///
/// The file is mapped read-only, never copied: libmagic, qpdf and poppler all read the same
/// mapped bytes, and only the pages they touch are ever loaded. With a SHA-256 the caller
/// already knows (`--sha256`), a 19 MiB scan is read a few kilobytes deep; without it, hashing
/// reads it once. Page sizes are qpdf's media boxes; image pixel sizes come from the image
/// dictionaries qpdf reads (see ``measureImages(_:page:index:qpdf:)``), decoded by poppler only
/// where a drawn image cannot be told apart.
public enum PDFInspector {
    /// Images measured per page; a scanned form has one. A page whose images cannot be matched
    /// to their dictionaries has them decoded, so a page of thousands of image strips must not
    /// cost thousands of decodes.
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
        switch MappedFile.map(path, limit: policy.maximumBytes) {
        case .failure(let problem):
            var report = InspectionReport(
                accepted: false, refusal: .damaged, detectedType: "application/octet-stream", bytes: 0, sha256: "")
            report.failure = "io"
            report.failureDetail = problem
            return report
        case .tooLarge(let size):
            return tooLargeReport(bytes: size, policy: policy)
        case .empty:
            return emptyReport()
        case .mapped(let file):
            return inspect(bytes: ByteView(file), policy: policy, sha256: known)
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
        inspect(bytes: ByteView(copying: bytes), policy: policy, sha256: nil)
    }

    /// The checks after mapping; `bytes` is the whole file.
    static func inspect(bytes: ByteView, policy: InspectionPolicy, sha256 knownSHA256: String?) -> InspectionReport {
        if bytes.isEmpty { return emptyReport() }
        if bytes.count > policy.maximumBytes { return tooLargeReport(bytes: bytes.count, policy: policy) }

        var report = InspectionReport(
            accepted: false, refusal: nil, detectedType: "application/octet-stream", bytes: bytes.count,
            sha256: knownSHA256 ?? hexSHA256(bytes))
        func refuse(_ refusal: Refusal) -> InspectionReport {
            report.refusal = refusal
            report.accepted = false
            return report
        }

        guard let detectedType = detectMIMEType(bytes) else {
            // Not the file's fault: the server's environment is broken. Say so, do not guess.
            report.failure = "magic_unavailable"
            report.failureDetail = "libmagic could not load its database or failed its self-test"
            return refuse(.inspectionUnavailable)
        }
        report.detectedType = detectedType

        if policy.acceptsImages, detectedType == "image/png" || detectedType == "image/jpeg" {
            switch ImageInspection.check(bytes, type: detectedType, maximumPixels: policy.maximumImagePixels) {
            case .success(let size):
                report.imageWidth = size.width
                report.imageHeight = size.height
                report.accepted = true
                return report
            case .failure(.tooManyPixels(let width, let height)):
                return refuse(.imageTooLarge(width: width, height: height))
            case .failure(.malformed(let why)):
                report.failureDetail = why
                return refuse(.damaged)
            }
        }

        let header = findHeader(bytes)
        report.headerOffset = header?.offset
        report.pdfVersion = header?.version
        guard detectedType == "application/pdf" || hasTolerableJunk(bytes, detectedType: detectedType, headerOffset: header?.offset)
        else {
            return refuse(policy.acceptsImages ? .notPDFOrImage : .notPDF)
        }

        let qpdf = QPDFDocument(bytes: bytes)
        let qpdfPages = qpdf.pageCount
        report.encrypted = qpdf.isEncrypted
        if report.encrypted {
            // An owner-password-only file opens with the empty password, so its pages are known;
            // one qpdf cannot decrypt (a user password, a bad /Length) is still encryption:
            // that is what to tell the user, not damage.
            report.pages = qpdfPages
            return refuse(.encrypted)
        }
        qpdf.resolveAllObjects()
        let warnings = qpdf.drainWarnings()
        report.warnings = warnings.count
        if let readError = qpdf.readError {
            report.repaired = true
            report.repairReason = "qpdf cannot read it: \(readError)"
        } else if warnings.count > 0 {
            report.repaired = true
            report.repairReason = warnings.first
        }

        let document: PopplerDocument
        do {
            document = try PopplerDocument(bytes: bytes)
        } catch {
            switch error {
            case .encrypted:
                report.encrypted = true
                return refuse(.encrypted)
            case .unreadable(let message):
                report.failureDetail = message.isEmpty ? nil : "poppler: \(message)"
                return refuse(.damaged)
            }
        }
        report.pdfVersion = document.version
        let pageCount = document.pageCount
        report.pages = pageCount
        if !document.hasFullPermissions {
            report.encrypted = true
            return refuse(.encrypted)
        }
        guard pageCount > 0 else { return refuse(.damaged) }
        // Where qpdf reads the file, it must see the same pages poppler does.
        if let qpdfPages, qpdfPages != pageCount {
            report.failureDetail = "qpdf counts \(qpdfPages) pages, poppler \(pageCount)"
            return refuse(.damaged)
        }

        var pages: [PopplerPage] = []
        for index in 0..<min(pageCount, maximumPagesExamined) {
            guard let page = document.page(at: index) else {
                report.failureDetail = "page \(index + 1) cannot be loaded"
                return refuse(.damaged)
            }
            // qpdf's media box where it reads the file; poppler's page size where only poppler does.
            let size = (qpdfPages != nil ? qpdf.mediaBoxSize(ofPage: index) : nil) ?? page.size
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

        // Measured last and only for files that pass.
        for (index, page) in pages.enumerated() {
            switch measureImages(page, index: index, qpdf: qpdfPages != nil ? qpdf : nil) {
            case .measured(let images, let notMeasured):
                report.images += images
                report.imagesNotMeasured += notMeasured
            case .outOfMemory(let id):
                // poppler and cairo survive a failed allocation and would draw nothing; a
                // page that cannot be decoded within the limit is not accepted as readable.
                report.failure = "memory"
                report.failureDetail = "image \(id) on page \(index + 1) does not fit in memory"
                return refuse(.memoryExhausted)
            }
        }
        report.accepted = true
        return report
    }

    enum PageImages {
        case measured([PageImage], notMeasured: Int)
        /// The surface for poppler's image `id` could not be allocated.
        case outOfMemory(id: Int)
    }

    /// The images poppler draws on the page (where, without decoding them), each with its pixel
    /// size. The size comes from the image dictionary qpdf reads when the page draws once and
    /// names one image (a scanned page), or when exactly one of the page's image sizes fits the
    /// drawn area's proportions; the
    /// surface poppler would decode into is then allocated and freed untouched (see
    /// ``PopplerPage/probeSurface(width:height:)``), so the memory check is the one decoding
    /// makes. Otherwise (inline images, look-alike sizes, qpdf unable to read the file) poppler
    /// decodes the image.
    static func measureImages(_ page: PopplerPage, index: Int, qpdf: QPDFDocument?) -> PageImages {
        let placements = page.imagePlacements()
        guard !placements.isEmpty else { return .measured([], notMeasured: 0) }
        let dictionaries = qpdf?.images(onPage: index) ?? []
        var images: [PageImage] = []
        // One draw of the page's one image XObject: a scan, whatever its proportions (scanners
        // stretch). The one case this misreads — a lone inline image beside an unused image
        // XObject — only misstates its size: inline data lives in the content stream, and the
        // thumbnail child that would decode it has the same limits.
        let sole = placements.count == 1 && dictionaries.count == 1 ? dictionaries.first : nil
        for placement in placements.prefix(maximumImagesPerPage) {
            let dictionary = sole ?? matchingImage(placement, among: dictionaries)
            let size =
                dictionary.map { PopplerPage.probeSurface(width: $0.pixelWidth, height: $0.pixelHeight) }
                ?? page.imagePixelSize(id: placement.id)
            switch size {
            case .size(let width, let height):
                images.append(
                    PageImage(
                        page: index + 1, imageID: placement.id, pixelWidth: width, pixelHeight: height,
                        width: hundredths(placement.width), height: hundredths(placement.height), filter: dictionary?.filter))
            case .outOfMemory:
                return .outOfMemory(id: placement.id)
            case .unavailable:
                continue
            }
        }
        return .measured(images, notMeasured: max(0, placements.count - maximumImagesPerPage))
    }

    /// The one image size among `images` whose proportions fit the drawn area (upright or
    /// turned a quarter, within poppler's rounding of the area to whole points); nil when none
    /// or several distinct sizes fit.
    static func matchingImage(_ placement: PopplerPage.ImagePlacement, among images: [QPDFDocument.Image]) -> QPDFDocument.Image? {
        let (width, height) = (placement.width, placement.height)
        guard width > 0, height > 0 else { return nil }
        func fits(_ image: QPDFDocument.Image) -> Bool {
            guard image.pixelWidth > 0, image.pixelHeight > 0 else { return false }
            let aspect = Double(image.pixelWidth) / Double(image.pixelHeight)
            let tolerance = max(2, 0.02 * width)
            return abs(width - height * aspect) <= tolerance || abs(width - height / aspect) <= tolerance
        }
        let candidates = images.filter(fits)
        let sizes = Set(candidates.map { [$0.pixelWidth, $0.pixelHeight] })
        return sizes.count == 1 ? candidates.first : nil
    }

    /// `%PDF-x.y` within the first 1024 bytes (where the PDF reference and every reader look).
    static func findHeader(_ bytes: ByteView) -> (offset: Int, version: String?)? {
        let marker = Array("%PDF-".utf8)
        guard let offset = bytes.firstIndex(of: marker, in: 0..<min(bytes.count, 1024 + marker.count)) else { return nil }
        var index = offset + marker.count
        var version: [UInt8] = []
        while index < bytes.count, version.count < 8,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) || bytes[index] == UInt8(ascii: ".")
        {
            version.append(bytes[index])
            index += 1
        }
        return (offset, version.isEmpty ? nil : String(decoding: version, as: UTF8.self))
    }

    /// Junk before `%PDF-` is tolerated when libmagic recognises nothing in the whole file, and
    /// nothing in the junk either (a polyglot with an HTML, script or image prefix is refused;
    /// libmagic calls the whole of such a file octet-stream because the scan after it is binary).
    static func hasTolerableJunk(_ bytes: ByteView, detectedType: String, headerOffset: Int?) -> Bool {
        guard let offset = headerOffset, offset > 0, detectedType == "application/octet-stream",
            let junkType = MagicDatabase.shared.mimeType(of: ByteView(copying: bytes[0..<offset]))
        else { return false }
        return ["application/octet-stream", "text/plain"].contains(junkType)
    }

    /// Points to 1/100 (595.2760000000001 → 595.28): finer says nothing about a scan.
    static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    static func hexSHA256(_ bytes: ByteView) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return PlainText.hex(hasher.finalize())
    }

    /// True for 64 hex digits (either case): what `--sha256` accepts.
    public static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
    }

    /// Loads what inspection needs from the system before any resource limit applies: the
    /// libmagic database is mapped into memory, and under a tight `RLIMIT_AS` libmagic silently
    /// falls back to a text database that recognises nothing. `zhtj-inspect` calls this first.
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
