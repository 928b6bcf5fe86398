/// 三会·两制·一课 and 团日活动 (RULES ACT-1): what a branch records of its organisational life,
/// and whom it counts as attending.
public enum ActivityKind: String, Sendable, Codable, CaseIterable {
    case membersMeeting = "members_meeting"
    case committeeMeeting = "committee_meeting"
    case groupMeeting = "group_meeting"
    case lesson
    case leagueDay = "league_day"
    case educationReview = "education_review"
    case registration

    public var chineseName: String {
        switch self {
        case .membersMeeting: "支部团员大会"
        case .committeeMeeting: "支部委员会"
        case .groupMeeting: "团小组会"
        case .lesson: "团课"
        case .leagueDay: "团日活动"
        case .educationReview: "团员教育评议"
        case .registration: "年度团籍注册"
        }
    }
}

/// An entry as it is to be recorded, checked.
public struct ActivityDraft: Sendable, Equatable {
    public let kind: ActivityKind
    public let heldOn: CivilDate
    public let topic: String
    public let place: String
    public let record: String
    /// In the order given, without repeats.
    public let attendees: [PersonID]

    public init(kind: ActivityKind, heldOn: CivilDate, topic: String, place: String, record: String, attendees: [PersonID]) {
        self.kind = kind
        self.heldOn = heldOn
        self.topic = topic
        self.place = place
        self.record = record
        self.attendees = attendees
    }
}

public enum ActivityProblem: Error, Sendable, Equatable {
    case topicRequired
    case invalidText(FreeTextProblem)
    /// A record is of something that happened: not a day after today.
    case heldInFuture
    /// Attendees are chosen from the branch's members.
    case attendeeNotMember(PersonID)
    /// Edited or withdrawn after it was withdrawn.
    case withdrawn
}

public enum ActivityRules {
    /// ACT-1: the entry, trimmed, or its first problem; `members` are the branch's members today.
    public static func checked(
        kind: ActivityKind, heldOn: CivilDate, topic: String, place: String, record: String, attendees: [PersonID],
        members: Set<PersonID>, today: CivilDate
    ) throws(ActivityProblem) -> ActivityDraft {
        func check(_ value: String, _ field: FreeTextField) throws(ActivityProblem) -> String {
            do { return try FreeText.checked(value, as: field) } catch { throw .invalidText(error) }
        }
        let topic = try check(topic, .topic)
        let place = try check(place, .topic)
        let record = try check(record, .noticeText)
        if topic.isEmpty { throw .topicRequired }
        if heldOn > today { throw .heldInFuture }
        var seen = Set<PersonID>()
        let unique = attendees.filter { seen.insert($0).inserted }
        if let stranger = unique.first(where: { !members.contains($0) }) { throw .attendeeNotMember(stranger) }
        return ActivityDraft(kind: kind, heldOn: heldOn, topic: topic, place: place, record: record, attendees: unique)
    }
}
