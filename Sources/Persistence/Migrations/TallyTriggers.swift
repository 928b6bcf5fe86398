/// Triggers that keep a table of counts per subtree (migrations 21 and 23) equal to a count of
/// the rows it summarises, in the same transaction as every write.
///
/// A view gives each subject's (a member's, an org's) facets, one row each, and the org whose
/// ancestors count them (`place`); a count's key is the ancestor plus `keys`. Each trigger takes
/// the subject's facets off as they were (BEFORE) and adds them as they are (AFTER).
struct TallyTriggers {
    /// The counts: (ancestor_id, keys…, count), primary key (ancestor_id, keys…).
    let table: String
    let view: String
    /// The view's columns naming the subject and the org whose ancestors count it.
    let subject: String
    let place: String
    let keys: [String]
    let count: String
    let sources: [Source]

    struct Source {
        let table: String
        /// The source table's column holding the subject's id.
        let subject: String
        /// The columns whose change can change a facet; none: no update triggers.
        let columns: [String]
        let facets: [String]
        let insert: Insert
    }

    enum Insert {
        /// The insert adds the subject: AFTER INSERT adds its facets.
        case adds
        /// The insert adds the subject, whose own ancestry rows another AFTER INSERT trigger
        /// writes (SQLite runs those in an order of its own): its ancestors are given as rows of
        /// `ancestor_id` from the subject expression.
        case addsAt(ancestors: @Sendable (String) -> String)
        /// A plain insert: BEFORE takes the facets off, AFTER adds them.
        case plain
        /// The insert may become an update (`ON CONFLICT DO UPDATE`, which fires the update
        /// triggers instead of AFTER INSERT): AFTER INSERT takes off the facets the absent row
        /// meant, given as rows of (ancestor_id, keys…) from the subject expression.
        case upserted(none: @Sendable (String) -> String)
        /// No trigger: the subject exists before the row does.
        case none
    }

    static func list(_ items: [String]) -> String { items.map { "'\($0)'" }.joined(separator: ", ") }

    /// The (ancestor_id, keys…) rows of the subject's facets.
    func facets(_ subject: String, _ facets: [String], ancestors: String? = nil) -> String {
        let columns = keys.map { "f.\($0)" }.joined(separator: ", ")
        let join = ancestors.map { "CROSS JOIN (\($0)) x" } ?? "JOIN org_ancestry x ON x.descendant_id = f.\(place)"
        return """
            SELECT x.ancestor_id, \(columns) FROM \(view) f \(join)
            WHERE f.\(self.subject) = \(subject) AND f.facet IN (\(Self.list(facets)))
            """
    }

    /// Adds one per row with an upsert (a key's first subject inserts it). `ordered`: in key
    /// order, so two PostgreSQL transactions lock shared counts in the same order.
    func add(_ rows: String, ordered: Bool = false) -> String {
        let all = (["ancestor_id"] + keys)
        let columns = all.joined(separator: ", ")
        let order = ordered ? " ORDER BY \((1...all.count).map(String.init).joined(separator: ", "))" : ""
        return """
            INSERT INTO \(table) (\(columns), \(count))
                SELECT \(all.map { "d.\($0)" }.joined(separator: ", ")), 1 FROM (\(rows)) d WHERE true\(order)
                ON CONFLICT (\(columns)) DO UPDATE SET \(count) = \(table).\(count) + 1;
            """
    }

    /// Takes off one per row with an update: a proposed row of -1 would fail `count >= 0`
    /// before the conflict is found.
    func takeOff(_ rows: String) -> String {
        let match = (["ancestor_id"] + keys).map { "\(table).\($0) = d.\($0)" }.joined(separator: " AND ")
        return "UPDATE \(table) SET \(count) = \(table).\(count) - 1 FROM (\(rows)) d WHERE \(match);"
    }

    var sqlite: [String] {
        sources.flatMap { s -> [String] in
            let name = "\(s.table)_\(table)"
            var triggers: [String] = []
            if !s.columns.isEmpty {
                let columns = s.columns.joined(separator: ", ")
                triggers.append("""
                    CREATE TRIGGER \(name)_before_update BEFORE UPDATE OF \(columns) ON \(s.table)
                    BEGIN \(takeOff(facets("OLD.\(s.subject)", s.facets))) END
                    """)
                triggers.append("""
                    CREATE TRIGGER \(name)_after_update AFTER UPDATE OF \(columns) ON \(s.table)
                    BEGIN \(add(facets("NEW.\(s.subject)", s.facets))) END
                    """)
            }
            let new = "NEW.\(s.subject)"
            switch s.insert {
            case .adds:
                triggers.append("CREATE TRIGGER \(name)_insert AFTER INSERT ON \(s.table) BEGIN \(add(facets(new, s.facets))) END")
            case .addsAt(let ancestors):
                triggers.append("""
                    CREATE TRIGGER \(name)_insert AFTER INSERT ON \(s.table)
                    BEGIN \(add(facets(new, s.facets, ancestors: ancestors(new)))) END
                    """)
            case .plain:
                triggers.append("CREATE TRIGGER \(name)_before_insert BEFORE INSERT ON \(s.table) BEGIN \(takeOff(facets(new, s.facets))) END")
                triggers.append("CREATE TRIGGER \(name)_after_insert AFTER INSERT ON \(s.table) BEGIN \(add(facets(new, s.facets))) END")
            case .upserted(let none):
                triggers.append("""
                    CREATE TRIGGER \(name)_insert AFTER INSERT ON \(s.table)
                    BEGIN \(takeOff(none(new))) \(add(facets(new, s.facets))) END
                    """)
            case .none:
                break
            }
            return triggers
        }
    }

    /// One trigger function per source table, with the statements written in as for SQLite;
    /// PostgreSQL runs AFTER INSERT triggers in name order, so `orgs_ancestry` comes before
    /// `orgs_…_insert` and the ancestry is there.
    var postgres: [String] {
        sources.flatMap { s -> [String] in
            let name = "\(s.table)_\(table)"
            let function = "zhtj_\(name)"
            var before = "", after = ""
            if !s.columns.isEmpty { before += "IF TG_OP = 'UPDATE' THEN \(takeOff(facets("OLD.\(s.subject)", s.facets))) END IF;\n" }
            switch s.insert {
            case .plain: before += "IF TG_OP = 'INSERT' THEN \(takeOff(facets("NEW.\(s.subject)", s.facets))) END IF;\n"
            case .upserted(let none): after += "IF TG_OP = 'INSERT' THEN \(takeOff(none("NEW.\(s.subject)"))) END IF;\n"
            case .adds, .addsAt, .none: break
            }
            after += add(facets("NEW.\(s.subject)", s.facets), ordered: true)
            var statements = [
                """
                CREATE OR REPLACE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_WHEN = 'BEFORE' THEN
                        \(before)
                        RETURN NEW;
                    END IF;
                    \(after)
                    RETURN NULL;
                END
                $$
                """
            ]
            if !s.columns.isEmpty {
                let columns = s.columns.joined(separator: ", ")
                statements.append("CREATE TRIGGER \(name)_before_update BEFORE UPDATE OF \(columns) ON \(s.table) FOR EACH ROW EXECUTE FUNCTION \(function)()")
                statements.append("CREATE TRIGGER \(name)_after_update AFTER UPDATE OF \(columns) ON \(s.table) FOR EACH ROW EXECUTE FUNCTION \(function)()")
            }
            switch s.insert {
            case .plain:
                statements.append("CREATE TRIGGER \(name)_before_insert BEFORE INSERT ON \(s.table) FOR EACH ROW EXECUTE FUNCTION \(function)()")
                statements.append("CREATE TRIGGER \(name)_insert AFTER INSERT ON \(s.table) FOR EACH ROW EXECUTE FUNCTION \(function)()")
            case .adds, .addsAt, .upserted:
                statements.append("CREATE TRIGGER \(name)_insert AFTER INSERT ON \(s.table) FOR EACH ROW EXECUTE FUNCTION \(function)()")
            case .none:
                break
            }
            return statements
        }
    }
}
