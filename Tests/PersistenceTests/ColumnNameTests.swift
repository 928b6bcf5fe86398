@testable import Persistence
import SQLKit
import Testing

@Suite("Column names")
struct ColumnNameTests {
    @Test("camel-case properties map to the snake-case columns SQLKit's own strategy would name")
    func snakeCase() {
        let pairs = [
            ("id", "id"), ("personId", "person_id"), ("branchUpperCommitteeId", "branch_upper_committee_id"),
            ("sha256", "sha256"), ("pageCount", "page_count"), ("mustChangePassword", "must_change_password"),
            ("pdfURLPath", "pdf_url_path"), ("version2Hash", "version2_hash"), ("prevHash", "prev_hash"),
        ]
        for (key, column) in pairs {
            #expect(SQLRowDecoder.KeyDecodingStrategy.snakeCased(key) == column, "\(key)")
        }
    }
}
