/// What an archive PDF must satisfy (RULES ARC-2).
public struct InspectionPolicy: Sendable, Codable, Equatable {
    /// 20 × 1024 × 1024 bytes (ARC-2, decided).
    public var maximumBytes: Int
    /// The form has 12 pages; configurable as a range.
    public var pageRange: ClosedRange<Int>

    public init(maximumBytes: Int = 20 * 1024 * 1024, pageRange: ClosedRange<Int> = 12...12) {
        self.maximumBytes = maximumBytes
        self.pageRange = pageRange
    }
}
