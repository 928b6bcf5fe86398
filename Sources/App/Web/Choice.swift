/// One option of a `<select>` or a radio group in a page's view model.
struct Choice {
    let value: String
    let label: String
    let selected: Bool

    static func list(_ values: [String], selected: String?, blank: String? = nil) -> [Choice] {
        (blank.map { [Choice(value: "", label: $0, selected: (selected ?? "").isEmpty)] } ?? [])
            + values.map { Choice(value: $0, label: $0, selected: $0 == selected) }
    }
}
