/// 工作通知 (issue 11 item 4): an org's admin publishes a notice to its whole subtree; every
/// admin of an org below sees it until they have read it, and the sender sees who has.
public enum NoticeProblem: Error, Sendable, Equatable {
    case titleRequired
    case textRequired
    case invalidText(FreeTextProblem)
    /// A 团支部 is the end of the tree: there is no one below it to tell.
    case nothingBelow
}

public enum NoticeRules {
    /// The title and text, trimmed, or every problem with them.
    public static func checked(title: String, text: String) throws(NoticeProblem) -> (title: String, text: String) {
        let title = try check(title, as: .topic)
        let text = try check(text, as: .noticeText)
        if title.isEmpty { throw .titleRequired }
        if text.isEmpty { throw .textRequired }
        return (title, text)
    }

    private static func check(_ value: String, as field: FreeTextField) throws(NoticeProblem) -> String {
        do {
            return try FreeText.checked(value, as: field)
        } catch {
            throw .invalidText(error)
        }
    }

    /// Only an org with orgs below it publishes.
    public static func mayPublish(from category: OrgCategory) -> Bool { !category.holdsMembers }

    /// The orgs whose notices reach an admin of the org at `path`: every one above it, never
    /// the org itself.
    public static func senders(reaching path: OrgPath) -> [OrgID] { Array(path.ids.dropLast()) }
}
