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
public enum PDFInspector {
    /// Images measured per page; a scanned form has one. Measuring decodes the image, so a
    /// page of thousands of image strips must not cost thousands of decodes.
    public static let maximumImagesPerPage = 16
    /// Pages whose size is listed and whose loading is checked.
    public static let maximumPagesExamined = 2_000

    /// Inspects the file at `path` under `policy`. Never throws: every outcome is a report.
    public static func inspect(fileAt path: String, policy: InspectionPolicy) -> InspectionReport {
        switch readFile(path, limit: policy.maximumBytes) {
        case .failure(let problem):
            var report = InspectionReport(
                accepted: false, refusal: .damaged, detectedType: "application/octet-stream", bytes: 0, sha256: "")
            report.failure = "io"
            report.failureDetail = problem
            return report
        case .tooLarge(let size):
            return tooLargeReport(bytes: size, policy: policy)
        case .contents(let bytes):
            return inspect(bytes: bytes, policy: policy)
        }
    }

    /// The refusal for an empty file, without reading it (the parent uses it before spawning).
    static func emptyReport() -> InspectionReport {
        InspectionReport(
            accepted: false, refusal: .empty, detectedType: "inode/x-empty", bytes: 0,
            sha256: hexSHA256([]))
    }

    /// The refusal for an over-size file, without reading it (the parent uses it before
    /// spawning): hostile huge files are never parsed, nor hashed.
    static func tooLargeReport(bytes: Int, policy: InspectionPolicy) -> InspectionReport {
        InspectionReport(
            accepted: false, refusal: .tooLarge(limitBytes: policy.maximumBytes),
            detectedType: "application/octet-stream", bytes: bytes, sha256: "")
    }

    /// The checks after reading; `bytes` is the whole file.
    static func inspect(bytes: [UInt8], policy: InspectionPolicy) -> InspectionReport {
        if bytes.isEmpty { return emptyReport() }
        if bytes.count > policy.maximumBytes { return tooLargeReport(bytes: bytes.count, policy: policy) }

        var report = InspectionReport(
            accepted: false, refusal: nil, detectedType: "application/octet-stream", bytes: bytes.count,
            sha256: hexSHA256(bytes))
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

        // Measured last and only for files that pass: it decodes every image.
        for (index, page) in pages.enumerated() {
            let placements = page.imagePlacements()
            for placement in placements.prefix(maximumImagesPerPage) {
                switch page.imagePixelSize(id: placement.id) {
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
        return report
    }

    /// Junk before `%PDF-` is tolerated when libmagic recognises nothing in the whole file, and
    /// nothing in the junk either (a polyglot with an HTML, script or image prefix is refused;
    /// libmagic calls the whole of such a file octet-stream because the scan after it is binary).
    static func hasTolerableJunk(_ bytes: [UInt8], detectedType: String, structure: PDFStructure) -> Bool {
        guard let offset = structure.headerOffset, offset > 0, detectedType == "application/octet-stream",
            let junkType = MagicDatabase.shared.mimeType(of: Array(bytes[..<offset]))
        else { return false }
        return ["application/octet-stream", "text/plain"].contains(junkType)
    }

    // MARK: - Reading

    enum ReadOutcome {
        case contents([UInt8])
        case tooLarge(Int)
        case failure(String)
    }

    /// Reads at most `limit + 1` bytes, so a file that grows after `stat` is still caught.
    static func readFile(_ path: String, limit: Int) -> ReadOutcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure("open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure("fstat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure("not a regular file") }
        let size = Int(info.st_size)
        if size > limit { return .tooLarge(size) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let cap = limit < Int.max ? limit + 1 : Int.max
        while bytes.count < cap {
            let wanted = min(chunk.count, cap - bytes.count)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure("read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if bytes.count > limit { return .tooLarge(max(size, bytes.count)) }
        return .contents(bytes)
    }

    /// Points to 1/100 (595.2760000000001 → 595.28): finer says nothing about a scan.
    static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Loads what inspection needs from the system before any resource limit applies: the
    /// libmagic database is mapped into memory, and under a tight `RLIMIT_AS` libmagic silently
    /// falls back to a text database that recognises nothing. `zhtj inspect` calls this first.
    public static func prepare() {
        _ = MagicDatabase.shared
    }

    /// libmagic's MIME type for the content, nil when libmagic is unusable.
    static func detectMIMEType(_ bytes: [UInt8]) -> String? {
        MagicDatabase.shared.mimeType(of: bytes)
    }
}
