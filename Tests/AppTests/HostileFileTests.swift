import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 12 item 2: hostile files through the running service. Mutations of real PDFs (the
/// generated form, and the shared corpus's small files when it is present) are uploaded as
/// archives: each is answered with 201 or a 4xx refusal, none with a 5xx, and the service keeps
/// answering. The same for spreadsheets on the member import.
@Suite("Hostile files")
struct HostileFileTests {
    static let accounts = try! DemoAccounts.load()
    /// `ZHTJ_FUZZ_FILES` sets how many (the long run); 1,000 by default.
    static let count = ProcessInfo.processInfo.environment["ZHTJ_FUZZ_FILES"].flatMap(Int.init) ?? 1000

    /// SplitMix64: the same mutations on every run, so a failure names a file that can be made again.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static func seeds() -> [[UInt8]] {
        var seeds = [makePDF(pages: 12), makePDF(pages: 12, salt: "second"), makePDF(pages: 3)]
        let corpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/visible")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: corpus.path) {
            for name in names.sorted() where name.hasSuffix(".pdf") {
                if let data = try? Data(contentsOf: corpus.appendingPathComponent(name)), (16...300_000).contains(data.count) { seeds.append([UInt8](data)) }
            }
        }
        return seeds
    }

    static func ranges(of needle: String, in bytes: [UInt8]) -> [Int] {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return [] }
        var found: [Int] = []
        var i = 0
        while i <= bytes.count - pattern.count {
            if bytes[i] == pattern[0], Array(bytes[i..<(i + pattern.count)]) == pattern { found.append(i) }
            i += 1
        }
        return found
    }

    /// One of the mutations the issue names: byte flips, truncations, duplicated and deleted
    /// objects, broken xref offsets, huge lengths, deep nesting.
    static func mutate(_ seed: [UInt8], _ random: inout Random) -> (kind: String, bytes: [UInt8]) {
        var bytes = seed
        switch random.below(7) {
        case 0:
            for _ in 0..<(1 + random.below(16)) { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
            return ("flip", bytes)
        case 1:
            return ("truncate", Array(bytes.prefix(random.below(bytes.count))))
        case 2, 3:
            let starts = ranges(of: " obj", in: bytes), ends = ranges(of: "endobj", in: bytes)
            guard let start = starts.randomElement(using: &random), let end = ends.first(where: { $0 > start }) else { return ("flip", bytes) }
            let object = Array(bytes[start..<(end + 6)])
            if random.below(2) == 0 {
                bytes.insert(contentsOf: object, at: min(bytes.count, end + 6 + random.below(64)))
                return ("duplicate_object", bytes)
            }
            bytes.removeSubrange(start..<(end + 6))
            return ("delete_object", bytes)
        case 4:
            guard let at = ranges(of: "startxref", in: bytes).last else { return ("flip", bytes) }
            let digits = Array("\n\(random.below(Int(Int32.max)))\n%%EOF\n".utf8)
            return ("xref_offset", Array(bytes.prefix(at + 9)) + digits)
        case 5:
            guard let at = ranges(of: "/Length ", in: bytes).randomElement(using: &random) else { return ("flip", bytes) }
            bytes.insert(contentsOf: Array("99999999999 ".utf8), at: at + 8)
            return ("huge_length", bytes)
        default:
            let depth = 2000 + random.below(20_000)
            let nested = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
            guard let at = ranges(of: "<<", in: bytes).randomElement(using: &random) else { return ("flip", bytes) }
            bytes.insert(contentsOf: Array("/Deep ".utf8) + nested + [0x20], at: at + 2)
            return ("deep_nesting", bytes)
        }
    }

    @Test("ARC-2: 1,000 mutated PDFs uploaded as archives: each 201 or a 4xx refusal with the error shape, none a 5xx, and the service still answers")
    func mutatedPDFs() async throws {
        let seeds = Self.seeds()
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["branch_admin"])
            let members = [Self.accounts["member_new"].memberId!, Self.accounts["member_new_2"].memberId!]
            var random = Random(state: 20_261_204)
            var outcomes: [String: Int] = [:]
            var serverErrors: [String] = []
            for n in 0..<Self.count {
                let seed = seeds[n % seeds.count]
                let (kind, bytes) = Self.mutate(seed, &random)
                let member = members[n % 2]
                let answer = try await client.upload("/api/v1/members/\(member)/archive", bytes, token: token)
                let code = answer.status.code
                if code >= 500 || (code >= 400 && answer.errorCode == nil) {
                    serverErrors.append("#\(n) \(kind) seed \(n % seeds.count): \(code) \(String(buffer: answer.body).prefix(200))")
                }
                outcomes["\(code) \(answer.errorCode ?? "")", default: 0] += 1
                // An accepted one waits for review; withdrawing it lets the next one be inspected too.
                if code == 201, let archive = try answer.json()["archiveId"] as? String {
                    _ = try await client.post("/api/v1/archives/\(archive)/withdraw", token: token)
                }
            }
            print("hostile files: \(Self.count) mutated PDFs from \(seeds.count) seeds: \(outcomes.sorted { $0.key < $1.key })")
            #expect(serverErrors.isEmpty, "\(serverErrors.prefix(10))")
            #expect(outcomes.keys.contains { $0.hasPrefix("422 damaged") }, "the mutations reach the parser")
            #expect(try await client.get("/healthz", token: nil).status == .ok)
        }
    }

    @Test("MEM-8: 300 mutated spreadsheets (a real .xlsx written by LibreOffice, and its .xls and .csv) on the member import: each a 200 report or a 4xx refusal, none a 5xx")
    func mutatedSpreadsheets() async throws {
        let folder = repositoryRoot.appendingPathComponent("fixtures/spreadsheets")
        let seeds = try ["libreoffice-members.xlsx", "libreoffice-members.xls", "libreoffice-members-gbk.csv"].map {
            [UInt8](try Data(contentsOf: folder.appendingPathComponent($0)))
        }
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            var random = Random(state: 20_261_205)
            var outcomes: [String: Int] = [:]
            var serverErrors: [String] = []
            for n in 0..<300 {
                var bytes = seeds[n % seeds.count]
                switch random.below(3) {
                case 0: for _ in 0..<(1 + random.below(32)) { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
                case 1: bytes = Array(bytes.prefix(random.below(bytes.count)))
                default:
                    let at = random.below(bytes.count)
                    bytes.replaceSubrange(at..<min(bytes.count, at + 1 + random.below(512)), with: (0..<random.below(512)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
                }
                let answer = try await client.execute(
                    uri: "/api/v1/orgs/upc-cs-2020/members/import?kind=branch_members", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes))
                let code = answer.status.code
                if code >= 500 || (code >= 400 && answer.errorCode == nil) {
                    serverErrors.append("#\(n) seed \(n % seeds.count): \(code) \(String(buffer: answer.body).prefix(200))")
                }
                outcomes["\(code) \(answer.errorCode ?? "")", default: 0] += 1
            }
            print("hostile spreadsheets: 300 mutated files: \(outcomes.sorted { $0.key < $1.key })")
            #expect(serverErrors.isEmpty, "\(serverErrors.prefix(10))")
            #expect(try await client.get("/healthz", token: nil).status == .ok)
        }
    }
}
