import Foundation
import Testing

@testable import App

/// Walks a template's Mustache tags with the context stack swift-mustache would have, and names
/// every tag that no view model on that stack has a property for. A missing key renders as
/// empty text at run time, so this is how a typo or a dropped property fails a test instead.
///
/// Sections push their sample value (an array's first element, an Optional's wrapped value);
/// the sample must therefore be fully populated, or the section's inside cannot be checked and
/// that is reported too. Booleans and inverted sections keep the current context.
enum TemplateKeys {
    static func problems(in template: String, model: Any) -> [String] {
        var problems: [String] = []
        // nil frames: sections that add no context (Bool, inverted).
        var stack: [Any?] = [model]
        var open: [String] = []
        var rest = Substring(template)
        while let start = rest.range(of: "{{") {
            let triple = rest[start.upperBound...].hasPrefix("{")
            let closer = triple ? "}}}" : "}}"
            guard let end = rest[start.upperBound...].range(of: closer) else {
                problems.append("unclosed tag")
                break
            }
            var tag = rest[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[end.upperBound...]
            if triple { tag.removeFirst() }
            let sigil = tag.first.map(String.init) ?? ""
            let name = String(tag.dropFirst(["#", "^", "/", "!", "&"].contains(sigil) ? 1 : 0)).trimmingCharacters(in: .whitespaces)
            let location = (open + [name]).joined(separator: " › ")
            switch sigil {
            case "!":
                continue
            case "#", "^":
                open.append(name)
                guard let value = lookup(name, in: stack) else {
                    problems.append("\(location): no such property")
                    stack.append(nil)
                    continue
                }
                if sigil == "^" || value is Bool {
                    stack.append(nil)
                } else if let inner = sample(value) {
                    stack.append(inner)
                } else {
                    problems.append("\(location): the sample is empty, so the section's inside is not checked")
                    stack.append(nil)
                }
            case "/":
                guard open.last == name else {
                    problems.append("\(location): closes \(open.last ?? "nothing")")
                    continue
                }
                open.removeLast()
                stack.removeLast()
            case ">", "<", "$", "=":
                problems.append("\(location): tag kind \(sigil) is not checked; extend TemplateKeys first")
            default:
                if name != "." && lookup(name, in: stack) == nil { problems.append("\(location): no such property") }
            }
        }
        if !open.isEmpty { problems.append("unclosed sections: \(open.joined(separator: ", "))") }
        return problems
    }

    /// The value a name resolves to, innermost context first (dotted names walk down from there).
    static func lookup(_ name: String, in stack: [Any?]) -> Any? {
        let parts = name.split(separator: ".").map(String.init)
        for frame in stack.reversed().compactMap({ $0 }) {
            guard var value = child(parts[0], of: frame) else { continue }
            for part in parts.dropFirst() {
                guard let next = child(part, of: sample(value) ?? value) else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    static func child(_ name: String, of object: Any) -> Any? {
        Mirror(reflecting: object).children.first { $0.label == name }?.value
    }

    /// What a section renders its inside with: the wrapped value, or an array's first element.
    static func sample(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional: return mirror.children.first.flatMap { sample($0.value) }
        case .collection: return mirror.children.first?.value
        default: return value
        }
    }
}

@Suite("Page templates use only their view models' keys")
struct PagesTemplateKeysTests {
    static let resources = try! PageRenderer.resources

    static func text(_ template: PageRenderer.Template) throws -> String {
        try String(contentsOf: PageRenderer.templateFile(template, in: resources), encoding: .utf8)
    }

    @Test("every template's tags resolve against a fully populated view model", arguments: PageRenderer.Template.allCases)
    func everyKeyResolves(_ template: PageRenderer.Template) throws {
        let problems = TemplateKeys.problems(in: try Self.text(template), model: PageSamples.model(for: template))
        #expect(problems.isEmpty, "\(template.rawValue).mustache: \(problems.joined(separator: "; "))")
    }

    @Test("the check fails on a key the model lacks, at top level and inside sections")
    func catchesMissingKeys() throws {
        let member = PageSamples.model(for: .member)
        #expect(TemplateKeys.problems(in: "{{name}}", model: member).isEmpty)
        #expect(TemplateKeys.problems(in: "{{foo}}", model: member) == ["foo: no such property"])
        #expect(TemplateKeys.problems(in: "{{#upload}}{{action}}{{bogus}}{{/upload}}", model: member) == ["upload › bogus: no such property"])
        #expect(TemplateKeys.problems(in: "{{#versions}}{{shortHash}}{{/versions}}{{shortHash}}", model: member).count == 1)
        #expect(TemplateKeys.problems(in: "{{#foo}}x{{/foo}}", model: member) == ["foo: no such property"])
        // The real member template plus one stray tag fails.
        let text = try Self.text(.member) + "{{#versions}}{{typo}}{{/versions}}"
        #expect(TemplateKeys.problems(in: text, model: member) == ["versions › typo: no such property"])
        // An empty sample cannot vouch for a section's inside.
        let empty = InboxPage(tabs: [], items: [], next: nil)
        #expect(!TemplateKeys.problems(in: try Self.text(.inbox), model: empty).isEmpty)
    }

    @Test("every template renders its sample without leftover tags, and the layout links the hashed assets")
    func rendersSamples() throws {
        let renderer = try PageRenderer(resources: Self.resources)
        for template in PageRenderer.Template.allCases {
            let html = renderer.render(template, PageSamples.model(for: template))
            #expect(!html.contains("{{"), "\(template.rawValue)")
            #expect(!html.isEmpty, "\(template.rawValue)")
        }
        let layout = renderer.render(.layout, PageSamples.layout)
        #expect(layout.contains("href=\"/static/app.0123456789abcdef.css\""))
        #expect(layout.contains("<p>正文</p>"))
    }
}
