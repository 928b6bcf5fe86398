/// What an archive PDF must satisfy (RULES ARC-2).
public struct InspectionPolicy: Sendable, Codable, Equatable {
    /// 20 × 1024 × 1024 bytes (ARC-2, decided).
    public var maximumBytes: Int
    /// The form has 12 pages; configurable as a range.
    public var pageRange: ClosedRange<Int>
    /// Attachments (ACT-1, 工作通知): a PNG or JPEG image is accepted too, when its structure
    /// holds and it has at most `maximumImagePixels` pixels.
    public var acceptsImages: Bool
    public var maximumImagePixels: Int

    public init(
        maximumBytes: Int = 20 * 1024 * 1024, pageRange: ClosedRange<Int> = 12...12, acceptsImages: Bool = false,
        maximumImagePixels: Int = 100_000_000
    ) {
        self.maximumBytes = maximumBytes
        self.pageRange = pageRange
        self.acceptsImages = acceptsImages
        self.maximumImagePixels = maximumImagePixels
    }

    /// What an attachment of a meeting record or a work notice must satisfy: a readable,
    /// unencrypted PDF of 1 to 200 pages, or a PNG or JPEG image, at most `maximumBytes`.
    public static func attachment(maximumBytes: Int) -> InspectionPolicy {
        InspectionPolicy(maximumBytes: maximumBytes, pageRange: 1...200, acceptsImages: true)
    }
}
