import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The issue's "Speed" figure for the member import, on demand: `ZHTJ_IMPORT_SPEED_ROWS=10000`
/// imports that many openpyxl-written rows through the API and prints rows per second
/// (`scripts/bench` carries the figure against its floor).
@Suite("Import speed")
struct ImportSpeedTests {
    static let rows = Int(ProcessInfo.processInfo.environment["ZHTJ_IMPORT_SPEED_ROWS"] ?? "") ?? 0

    @Test("MEM-8: a large member template imports end to end through the API", .enabled(if: rows > 0))
    func largeImport() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-import-speed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("members.xlsx")
        let script = #"""
import datetime, sys, openpyxl
n, path = int(sys.argv[1]), sys.argv[2]
def idn(body):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("下级团支部团员团干部")
ws.append(["*所在团支部", "*姓名", "*性别", "*身份证号", "*民族", "*学历", "政治面貌", "*入团时间", "发展团员编号", "*手机号码"])
for i in range(n):
    birth = datetime.date(2005, 1, 1) + datetime.timedelta(days=i // 900)
    seq = "%03d" % (100 + i % 900)
    ws.append(["计算机学院2020级2班团支部", "速测%d" % i, "男" if int(seq[-1]) % 2 else "女",
               idn("370211" + birth.strftime("%Y%m%d") + seq), "汉族", "大学本科", "", "2022-05-04",
               "2022%012d" % (900000 + i), "138%08d" % i])
wb.save(path)
"""#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ImportPython.python())
        process.arguments = ["-c", script, String(Self.rows), file.path]
        try process.run()
        process.waitUntilExit()
        let bytes = Array(try Data(contentsOf: file))
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            let start = ContinuousClock.now
            let response = try await client.execute(
                uri: "/api/v1/orgs/upc-cs-2020/members/import?kind=branch_members", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes))
            let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
            #expect(response.status == .ok)
            let json = try response.json()
            let created = (json["created"] as? [Any])?.count ?? 0
            let failed = (json["failed"] as? [[String: Any]]) ?? []
            #expect(created == Self.rows, "\(failed.prefix(3))")
            print("import speed: \(Self.rows) rows, \(bytes.count) bytes, \(String(format: "%.1f", seconds)) s, \(String(format: "%.0f", Double(Self.rows) / seconds)) rows/s")
        }
    }
}
