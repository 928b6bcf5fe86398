/// Triggers that refuse UPDATE and DELETE on a table, so history cannot be rewritten through
/// the database either ("nothing recorded is ever overwritten or deleted").
enum AppendOnly {
    static func sqlite(_ table: String) -> [String] {
        [
            "CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END",
            "CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END",
        ]
    }

    static let postgresFunction = """
        CREATE OR REPLACE FUNCTION zhtj_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END
        $$
        """

    static func postgres(_ table: String) -> [String] {
        ["CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION zhtj_append_only()"]
    }
}
