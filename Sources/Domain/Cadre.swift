/// A post a person holds in an org (团干部, MEM-5: one person may hold posts in several orgs).
public struct CadrePost: Hashable, Sendable, Codable {
    public let personID: PersonID
    public let orgID: OrgID
    /// e.g. 书记, 副书记, 组织委员.
    public let title: String

    public init(personID: PersonID, orgID: OrgID, title: String) {
        self.personID = personID
        self.orgID = orgID
        self.title = title
    }
}

/// The admins of one org (ADM-3): at most two, each a cadre of the org.
public struct OrgAdmins: Sendable, Equatable {
    public static let maximum = 2

    public let orgID: OrgID
    public private(set) var personIDs: [PersonID]

    public init(orgID: OrgID, personIDs: [PersonID] = []) {
        self.orgID = orgID
        self.personIDs = personIDs
    }

    public enum AppointmentError: Error, Equatable, Sendable {
        case notACadreOfOrg
        case alreadyAdmin
        case full
    }

    /// Adds an admin, returning the slot (1 or 2) the schema records the appointment in.
    public mutating func appoint(_ person: PersonID, cadrePosts: [CadrePost]) throws(AppointmentError) -> Int {
        guard cadrePosts.contains(where: { $0.personID == person && $0.orgID == orgID }) else {
            throw .notACadreOfOrg
        }
        if personIDs.contains(person) { throw .alreadyAdmin }
        guard personIDs.count < OrgAdmins.maximum else { throw .full }
        personIDs.append(person)
        return personIDs.count
    }
}
