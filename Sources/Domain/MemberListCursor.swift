/// Where a page of a subtree's member list ends: lists run by branch, then by person, so the
/// next page starts after this (branch, person) pair.
///
/// Ordered by person alone, the database had to choose between walking every member in the
/// database in id order (38 ms for a branch's page among 100,000 members) and sorting the
/// whole subtree (52 ms for a 团委 of 100,000); by branch and person, both are an index walk
/// that stops after one page (0.02 ms for either, measured with `sqlite3` on the bench's data).
public struct MemberListCursor: Hashable, Sendable {
    public let branch: OrgID
    public let person: PersonID

    public init(branch: OrgID, person: PersonID) {
        self.branch = branch
        self.person = person
    }

    /// `branch.person`: the dot is outside the id alphabet, so the text splits one way only.
    public var rawValue: String { branch.rawValue + "." + person.rawValue }

    public init?(rawValue: String) {
        let parts = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let branch = OrgID(rawValue: String(parts[0])), let person = PersonID(rawValue: String(parts[1]))
        else { return nil }
        self.init(branch: branch, person: person)
    }
}
