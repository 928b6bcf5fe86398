/// Text that people type into the record (reasons, names, topics, searches): bounded in
/// length and free of characters that cannot be seen. A NUL or a bidi override in a rejection
/// reason would make the official record show something other than what it holds.
public enum FreeTextField: String, Sendable, CaseIterable {
    /// Rejection, withdrawal and change-request reasons (ARC-6, ARC-10).
    case reason
    /// A search box (ARC-11).
    case search
    /// A person's or an org's name.
    case name
    /// A meeting's or notice's topic.
    case topic
    /// A work notice's text (工作通知).
    case noticeText = "notice_text"

    /// In Unicode scalars, so a Chinese character counts once.
    public var maximumLength: Int {
        switch self {
        case .reason: 500
        case .search: 40
        case .name: 50
        case .topic: 200
        case .noticeText: 5000
        }
    }

    /// Reasons and topics may run over several lines; names and searches may not.
    public var allowsLineBreaks: Bool {
        switch self {
        case .reason, .topic, .noticeText: true
        case .search, .name: false
        }
    }
}

/// Why a text was refused.
public struct FreeTextProblem: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case tooLong(maximum: Int)
        /// A control character (NUL, escape, a line break where none belongs), a line or
        /// paragraph separator, or a bidirectional override.
        case invisibleCharacter
    }

    public let field: FreeTextField
    public let kind: Kind

    public init(field: FreeTextField, kind: Kind) {
        self.field = field
        self.kind = kind
    }
}

public enum FreeText {
    /// `text` trimmed of surrounding whitespace, or the problem with it. An empty result is
    /// allowed here; whether a field is required is the caller's rule.
    public static func checked(_ text: String, as field: FreeTextField) throws(FreeTextProblem) -> String {
        let trimmed = text.trimmingWhitespace()
        var count = 0
        for scalar in trimmed.unicodeScalars {
            count += 1
            if count > field.maximumLength { throw FreeTextProblem(field: field, kind: .tooLong(maximum: field.maximumLength)) }
            if isInvisible(scalar, lineBreaks: field.allowsLineBreaks) {
                throw FreeTextProblem(field: field, kind: .invisibleCharacter)
            }
        }
        return trimmed
    }

    static func isInvisible(_ scalar: Unicode.Scalar, lineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x09: return !lineBreaks
        case 0x0A, 0x0D: return !lineBreaks
        // Bidi embeddings, overrides and isolates.
        case 0x202A...0x202E, 0x2066...0x2069: return true
        // Line and paragraph separators.
        case 0x2028, 0x2029: return true
        default: return scalar.properties.generalCategory == .control
        }
    }
}
