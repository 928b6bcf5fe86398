/// MEM-9: the real-name check of a person against the citizen-identity service. It concerns
/// only the name and the ID number, and is not the archive's identity verification (ARC-5).
public enum IdentityCheckStatus: String, Sendable, Codable, CaseIterable {
    /// 未认证: entered, not yet sent, or changed since the last check.
    case unverified
    /// 认证通过
    case passed
    /// 认证不通过
    case failed

    public var chineseName: String {
        switch self {
        case .unverified: "未认证"
        case .passed: "认证通过"
        case .failed: "认证不通过"
        }
    }
}

/// The batch exchange with the citizen-identity service, as the real system does it: the
/// unverified people go out as a file, the service's answer file comes back.
///
/// Both files are CSV in UTF-8 (a BOM is written, and accepted or not on reading), one header
/// line, comma-separated, fields with a comma or quote in double quotes:
/// - request: `编号,姓名,公民身份号码` — 编号 is the person's id in this service;
/// - answer: `编号,姓名,公民身份号码,核验结果[,说明]` — 核验结果 is `一致` (认证通过) or `不一致`
///   (认证不通过); the service's own words `认证通过` / `认证不通过` are accepted too.
public enum IdentityCheckFile {
    public static let requestHeader = ["编号", "姓名", "公民身份号码"]
    public static let answerHeader = ["编号", "姓名", "公民身份号码", "核验结果"]

    /// One answered person.
    public struct Answer: Sendable, Equatable {
        public let line: Int
        public let personID: PersonID
        public let name: String
        public let idNumber: String
        public let status: IdentityCheckStatus
        public let note: String?
    }

    public enum LineProblem: Sendable, Equatable {
        case wrongFieldCount(found: Int)
        case unknownPersonID
        case missingName
        case missingIDNumber
        case unknownResult(String)
        case duplicate(firstLine: Int)
        /// Filled in by the workflow: no such person in the caller's scope.
        case unknownPerson
        /// Filled in by the workflow: the name or ID number is not the record's (changed since
        /// the export, or another person's).
        case recordMismatch
    }

    public struct Rejected: Sendable, Equatable {
        public let line: Int
        public let problem: LineProblem
        public init(line: Int, problem: LineProblem) {
            self.line = line
            self.problem = problem
        }
    }

    public enum FileProblem: Error, Sendable, Equatable {
        case empty
        case notUTF8
        case wrongHeader
    }

    /// The request file for `people` (id, name, ID number), with a BOM so that Excel shows the
    /// Chinese as Chinese.
    public static func request(_ people: [(id: PersonID, name: String, idNumber: String)]) -> String {
        var out = "\u{FEFF}" + requestHeader.joined(separator: ",") + "\r\n"
        for p in people { out += [p.id.rawValue, p.name, p.idNumber].map(field).joined(separator: ",") + "\r\n" }
        return out
    }

    /// Reads an answer file: the lines that parse, and each other line's number (1 is the
    /// header) with its reason. Blank lines are skipped.
    public static func parseAnswers(_ bytes: [UInt8]) throws(FileProblem) -> (answers: [Answer], rejected: [Rejected]) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard isUTF8(body) else { throw .notUTF8 }
        let text = String(decoding: body, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        guard let header = lines.first, !header.trimmingWhitespace().isEmpty else { throw .empty }
        let columns = split(String(header)).map { $0.trimmingWhitespace() }
        guard columns.count >= answerHeader.count, Array(columns.prefix(answerHeader.count)) == answerHeader else { throw .wrongHeader }
        var answers: [Answer] = []
        var rejected: [Rejected] = []
        var seen: [PersonID: Int] = [:]
        for (index, raw) in lines.enumerated().dropFirst() {
            let number = index + 1
            if raw.trimmingWhitespace().isEmpty { continue }
            let fields = split(String(raw)).map { $0.trimmingWhitespace() }
            guard fields.count == 4 || fields.count == 5 else {
                rejected.append(Rejected(line: number, problem: .wrongFieldCount(found: fields.count)))
                continue
            }
            guard let id = PersonID(rawValue: fields[0]) else { rejected.append(Rejected(line: number, problem: .unknownPersonID)); continue }
            if fields[1].isEmpty { rejected.append(Rejected(line: number, problem: .missingName)); continue }
            if fields[2].isEmpty { rejected.append(Rejected(line: number, problem: .missingIDNumber)); continue }
            let status: IdentityCheckStatus
            switch fields[3] {
            case "一致", "认证通过", "通过": status = .passed
            case "不一致", "认证不通过", "不通过": status = .failed
            default: rejected.append(Rejected(line: number, problem: .unknownResult(fields[3]))); continue
            }
            if let first = seen[id] { rejected.append(Rejected(line: number, problem: .duplicate(firstLine: first))); continue }
            seen[id] = number
            let note = fields.count == 5 && !fields[4].isEmpty ? String(fields[4].prefix(200)) : nil
            answers.append(Answer(line: number, personID: id, name: fields[1], idNumber: fields[2].uppercased(), status: status, note: note))
        }
        return (answers, rejected)
    }

    /// One CSV line's fields; a quoted field may hold commas and doubled quotes.
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" && current.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }

    static func field(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? quoted(value) : value
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for c in value {
            if c == "\"" { out += "\"\"" } else { out.append(c) }
        }
        return out + "\""
    }

    /// True when every byte sequence is well-formed UTF-8.
    static func isUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
