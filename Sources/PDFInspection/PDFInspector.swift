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
///    libmagic says only `application/octet-stream` (it recognises nothing else) and `%PDF-`
///    starts within the first 1024 bytes, the file is a PDF with leading junk, which the PDF
///    reference (PDF 1.7, implementation note 13), Acrobat and poppler all accept; junk that is
///    itself something (HTML, a ZIP, an image) is still refused, so polyglots stay out.
///    `headerOffset` in the report says how much junk there was.
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
            accepted: false, refusal: nil, detectedType: detectMIMEType(bytes), bytes: bytes.count,
            sha256: hexSHA256(bytes))
        func refuse(_ refusal: Refusal) -> InspectionReport {
            report.refusal = refusal
            report.accepted = false
            return report
        }

        let structure = PDFStructure.analyse(bytes)
        report.headerOffset = structure.headerOffset
        report.pdfVersion = structure.headerVersion
        let isPDF =
            report.detectedType == "application/pdf"
            || (report.detectedType == "application/octet-stream" && structure.headerOffset != nil)
        guard isPDF else { return refuse(.notPDF) }

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
            report.pageSizes.append(PageSize(page: index + 1, width: size.width, height: size.height))
            pages.append(page)
        }
        guard policy.pageRange.contains(pageCount) else {
            return refuse(.wrongPageCount(actual: pageCount, expected: policy.pageRange))
        }

        // Measured last and only for files that pass: it decodes every image.
        for (index, page) in pages.enumerated() {
            let placements = page.imagePlacements()
            for placement in placements.prefix(maximumImagesPerPage) {
                guard let pixels = page.imagePixelSize(id: placement.id) else { continue }
                report.images.append(
                    PageImage(
                        page: index + 1, imageID: placement.id, pixelWidth: pixels.width, pixelHeight: pixels.height,
                        width: placement.width, height: placement.height))
            }
            report.imagesNotMeasured += max(0, placements.count - maximumImagesPerPage)
        }
        report.accepted = true
        return report
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
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
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

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// libmagic's MIME type for the content (compressed-file and ELF sniffing off: neither can
    /// make a PDF, and both parse more untrusted data).
    static func detectMIMEType(_ bytes: [UInt8]) -> String {
        let flags = MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF
        guard let cookie = magic_open(flags) else { return "application/octet-stream" }
        defer { magic_close(cookie) }
        guard magic_load(cookie, nil) == 0 else { return "application/octet-stream" }
        let result = bytes.withUnsafeBytes { magic_buffer(cookie, $0.baseAddress, $0.count) }
        guard let result else { return "application/octet-stream" }
        return String(cString: result)
    }
}
