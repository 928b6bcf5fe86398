/// 团内大数据 (RULES STA-1): a branch's (or a subtree's) figures. New members are counted by
/// `NewMemberGate` alone (ARC-9: verified ones only).

/// One bar of a distribution.
public struct StatisticsBar: Sendable, Equatable {
    public let label: String
    public let count: Int

    public init(label: String, count: Int) {
        self.label = label
        self.count = count
    }
}

public enum StatisticsRules {
    /// The age bands, youngest first, as (label, lowest age, highest age); the last is open.
    public static let ageBands: [(label: String, from: Int, to: Int?)] = [
        ("14—17岁", 14, 17), ("18—22岁", 18, 22), ("23—25岁", 23, 25), ("26—28岁", 26, 28), ("28岁以上", 29, nil),
    ]

    /// The birth-date bounds of each band on `today`: a member is in the band when
    /// `earliest < birthDate <= latest` (`earliest` nil: the open band).
    public static func ageBandBounds(today: CivilDate) -> [(label: String, earliest: CivilDate?, latest: CivilDate)] {
        ageBands.map { band in
            // Aged at least `from` today: born on or before today minus `from` years; at most
            // `to`: born after today minus (`to` + 1) years.
            (band.label, band.to.map { today.months(before: 12 * ($0 + 1)) }, today.months(before: 12 * band.from))
        }
    }

    /// ARC-9, STA-1: new members by the year they joined, counting only those the gate admits.
    public static func newMembersByYear(_ tallies: [MemberTally]) -> [(year: Int, counted: Int, all: Int)] {
        var byYear: [Int: (counted: Int, all: Int)] = [:]
        for tally in tallies where tally.joinedOn >= Member.archiveRequiredFrom {
            var entry = byYear[tally.joinedOn.year] ?? (0, 0)
            entry.all += tally.members
            if NewMemberGate.admits(joinedOn: tally.joinedOn, identityVerified: tally.identityVerified) { entry.counted += tally.members }
            byYear[tally.joinedOn.year] = entry
        }
        return byYear.keys.sorted().map { (year: $0, counted: byYear[$0]!.counted, all: byYear[$0]!.all) }
    }
}
