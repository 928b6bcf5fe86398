/// The verdict on one uploaded file and what was measured on the way (ARC-2).
///
/// The child process (`zhtj-inspect --json`) prints exactly this as JSON; the server decodes it
/// with ``IsolatedInspector``. Keys are the property names (`pages`, `pageSizes`, …).
public struct InspectionReport: Codable, Sendable, Equatable {
    /// True when the file is a readable, unencrypted PDF within the size and page policy.
    public var accepted: Bool
    /// Why the file was refused; nil exactly when `accepted`.
    public var refusal: Refusal?
    /// The MIME type libmagic reads from the content (never from the name), e.g.
    /// `application/pdf`, `image/png`, `inode/x-empty`. `application/octet-stream` when the
    /// content was not examined (a file refused as too large before it was opened).
    public var detectedType: String
    /// File size in bytes.
    public var bytes: Int
    /// SHA-256 of the content, lower-case hex; empty when the file was not read (too large).
    public var sha256: String
    /// The PDF version ("1.4", "2.0"): poppler's when it opened the file, else the header's.
    public var pdfVersion: String?
    /// Where `%PDF-` starts; more than 0 when junk precedes the header (see ``PDFInspector``).
    public var headerOffset: Int?
    /// Page count, when the document could be opened.
    public var pages: Int?
    /// True when the file is encrypted in any way (user or owner password).
    public var encrypted: Bool
    /// True when the file had to be repaired to be read: qpdf warned while reading it (a broken
    /// cross-reference table it rebuilt by scanning, a damaged object it recovered, a malformed
    /// name), or qpdf could not read it at all and only poppler's reconstruction does. Such a
    /// file is still accepted when everything else reads; the review page can say so.
    public var repaired: Bool
    /// How many warnings qpdf gave while reading the file (0 for a clean file).
    public var warnings: Int
    /// Why `repaired` is true: qpdf's first warning (or its error), in English, without the
    /// file's name, e.g. "offset 580: expected n n obj"; nil otherwise.
    public var repairReason: String?
    /// Size of each page in points (1/72 inch), in page order.
    public var pageSizes: [PageSize]
    /// Every image placed on a page with its pixel size and effective resolution; measured only
    /// for accepted files, at most ``PDFInspector/maximumImagesPerPage`` per page.
    public var images: [PageImage]
    /// Images placed but not measured because a page had more than the per-page maximum.
    public var imagesNotMeasured: Int
    /// For an image accepted as an attachment: its pixels.
    public var imageWidth: Int? = nil
    public var imageHeight: Int? = nil
    /// Set when the inspection itself could not finish, not when the file was merely refused:
    /// `timeout`, `cpu`, `memory`, `crashed(SIGSEGV)`, `exit(3)`, `bad_output`,
    /// `output_too_large`, `spawn_failed`, `poll_failed`, `cancelled`, `magic_unavailable`, `io`. The refusal is
    /// then `damaged`. For logs and metrics; never shown to users.
    public var failure: String?
    /// A little more about `failure` (e.g. the end of the child's stderr), for logs.
    public var failureDetail: String?

    public init(
        accepted: Bool, refusal: Refusal?, detectedType: String, bytes: Int, sha256: String,
        pdfVersion: String? = nil, headerOffset: Int? = nil, pages: Int? = nil, encrypted: Bool = false,
        repaired: Bool = false, warnings: Int = 0, repairReason: String? = nil, pageSizes: [PageSize] = [], images: [PageImage] = [],
        imagesNotMeasured: Int = 0, failure: String? = nil, failureDetail: String? = nil
    ) {
        self.accepted = accepted
        self.refusal = refusal
        self.detectedType = detectedType
        self.bytes = bytes
        self.sha256 = sha256
        self.pdfVersion = pdfVersion
        self.headerOffset = headerOffset
        self.pages = pages
        self.encrypted = encrypted
        self.repaired = repaired
        self.warnings = warnings
        self.repairReason = repairReason
        self.pageSizes = pageSizes
        self.images = images
        self.imagesNotMeasured = imagesNotMeasured
        self.failure = failure
        self.failureDetail = failureDetail
    }

    private enum CodingKeys: String, CodingKey {
        case accepted, refusal, detectedType, bytes, sha256, pdfVersion, headerOffset, pages, encrypted, repaired
        case warnings, repairReason, pageSizes, images, imagesNotMeasured, failure, failureDetail, imageWidth, imageHeight
    }

    /// Writes absent values as `null` rather than leaving keys out, so every report has the same
    /// keys (`"pages": null` for a file that never opened).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accepted, forKey: .accepted)
        try container.encode(refusal, forKey: .refusal)
        try container.encode(detectedType, forKey: .detectedType)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(pdfVersion, forKey: .pdfVersion)
        try container.encode(headerOffset, forKey: .headerOffset)
        try container.encode(pages, forKey: .pages)
        try container.encode(encrypted, forKey: .encrypted)
        try container.encode(repaired, forKey: .repaired)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(repairReason, forKey: .repairReason)
        try container.encode(pageSizes, forKey: .pageSizes)
        try container.encode(images, forKey: .images)
        try container.encode(imagesNotMeasured, forKey: .imagesNotMeasured)
        try container.encode(failure, forKey: .failure)
        try container.encode(failureDetail, forKey: .failureDetail)
        try container.encode(imageWidth, forKey: .imageWidth)
        try container.encode(imageHeight, forKey: .imageHeight)
    }

    /// The lowest effective resolution of any measured image (the ARC-2 legibility hint), nil
    /// when no image was measured.
    public var lowestImageDPI: Double? {
        images.map { min($0.dpiX, $0.dpiY) }.min()
    }
}

/// Why a file was refused: a stable code and the message for the user (Chinese). Which HTTP
/// status an upload answers with is the server's business (it maps `code`).
public struct Refusal: Codable, Sendable, Equatable {
    /// Stable reasons, checked in this order.
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// 0 bytes.
        case empty
        /// Over `InspectionPolicy.maximumBytes`.
        case tooLarge = "too_large"
        /// The content is not a PDF, whatever the name says.
        case notPDF = "not_pdf"
        /// Encrypted with a user or an owner password.
        case encrypted
        /// Unreadable, no pages, or the inspection itself could not finish (see `failure`).
        case damaged
        /// Readable, but the page count is outside `InspectionPolicy.pageRange`.
        case wrongPageCount = "wrong_page_count"
    }

    /// The stable reason, for programs (`too_large`, `wrong_page_count`, …).
    public var code: Code
    /// For the user, in Chinese.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Nothing was uploaded.
    public static let empty = Refusal(code: .empty, message: "文件为空")

    /// Too large, naming the limit in MB (ARC-2: 20 × 1024 × 1024 bytes is "20MB").
    public static func tooLarge(limitBytes: Int) -> Refusal {
        Refusal(
            code: .tooLarge, message: "文件超过\(megabytes(limitBytes))MB，请压缩后重新上传")
    }

    /// Not a PDF by content.
    public static let notPDF = Refusal(code: .notPDF, message: "文件不是PDF格式，请上传PDF文件")

    /// An attachment that is neither a PDF nor a PNG or JPEG image, by content.
    public static let notPDFOrImage = Refusal(code: .notPDF, message: "附件须为PDF文件或PNG、JPEG图片")

    /// An image with more pixels than an attachment may have.
    public static func imageTooLarge(width: Int, height: Int) -> Refusal {
        Refusal(code: .damaged, message: "图片尺寸过大（\(width)×\(height)像素），请缩小后重新上传")
    }

    /// Encrypted in any way.
    public static let encrypted = Refusal(
        code: .encrypted, message: "文件已加密，请去除密码和权限限制后重新上传")

    /// Unreadable, or no pages.
    public static let damaged = Refusal(code: .damaged, message: "文件已损坏，无法读取")

    /// The same code as ``damaged`` when the inspection ran out of time or memory: the
    /// user sees a message that does not blame a file that may merely be very complex.
    public static func unreadable(_ message: String) -> Refusal {
        Refusal(code: .damaged, message: message)
    }

    /// `damaged` when decoding needed more time than the limits allow.
    public static let timedOut = unreadable("文件处理超时，可能已损坏，无法读取")

    /// `damaged` when decoding needed more memory than the limits allow.
    public static let memoryExhausted = unreadable("文件处理所需内存过多，可能已损坏，无法读取")

    /// The code of ``damaged`` when the service, not the file, failed (the inspecting
    /// child could not start, libmagic is missing); `failure` in the report says which.
    public static let inspectionUnavailable = unreadable("暂时无法检查文件，请稍后重试")

    /// "必须上传12页完整的电子版《入团志愿书》，当前为9页" (ARC-2); a range reads "a至b页".
    public static func wrongPageCount(actual: Int, expected: ClosedRange<Int>) -> Refusal {
        let expectation =
            expected.lowerBound == expected.upperBound
            ? "\(expected.lowerBound)" : "\(expected.lowerBound)至\(expected.upperBound)"
        return Refusal(
            code: .wrongPageCount, message: "必须上传\(expectation)页完整的电子版《入团志愿书》，当前为\(actual)页")
    }

    /// "20" for 20 MiB, "1.5" for 1.5 MiB: MB as users count them (1024 × 1024 bytes).
    static func megabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        if value == value.rounded() { return String(Int(value)) }
        let tenths = (value * 10).rounded(.down) / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }
}

/// The size of one page in points (1/72 inch), as displayed (rotation applied).
public struct PageSize: Codable, Sendable, Equatable {
    /// 1-based.
    public var page: Int
    /// Points (595.28 for A4 portrait).
    public var width: Double
    /// Points (841.89 for A4 portrait).
    public var height: Double

    public init(page: Int, width: Double, height: Double) {
        self.page = page
        self.width = width
        self.height = height
    }
}

/// One image drawn on a page: its pixels and the area it covers, hence its effective DPI.
public struct PageImage: Codable, Sendable, Equatable {
    /// 1-based page number.
    public var page: Int
    /// poppler's image id on that page.
    public var imageID: Int
    /// The image's own pixels, as stored in the file.
    public var pixelWidth: Int
    public var pixelHeight: Int
    /// The area the image covers on the page, in points.
    public var width: Double
    public var height: Double
    /// How the pixels are stored (`DCTDecode` for JPEG, `CCITTFaxDecode`, `FlateDecode`, …: the
    /// last filter of the image's dictionary); nil when unfiltered or when poppler decoded the
    /// image because its dictionary could not be told apart.
    public var filter: String?
    /// Pixels per inch of the drawn image (pixels ÷ (points ÷ 72)); a scan at 300 DPI on A4 says 300.
    public var dpiX: Double
    public var dpiY: Double

    public init(
        page: Int, imageID: Int, pixelWidth: Int, pixelHeight: Int, width: Double, height: Double, filter: String? = nil
    ) {
        self.page = page
        self.filter = filter
        self.imageID = imageID
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
        self.width = width
        self.height = height
        self.dpiX = width > 0 ? (Double(pixelWidth) * 72 / width * 10).rounded() / 10 : 0
        self.dpiY = height > 0 ? (Double(pixelHeight) * 72 / height * 10).rounded() / 10 : 0
    }
}
