import Foundation
import HTTPTypes
import Testing

@testable import App

/// Issue 12 item 4, the API contract: `openapi.yaml` names exactly the routes the router has
/// (`SiteRoute.registered`, which `RouteMethodsTests` proves equal to the router), each with the
/// path parameters its placeholders name. What the answers look like is checked against a live
/// server by `scripts/openapi-check` (schemathesis); this test keeps the two lists from drifting.
@Suite("OpenAPI spec (issue 12 item 4)")
struct OpenAPISpecTests {
    static let spec = try! OpenAPIOutline(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"))

    /// `GET /api/v1/orgs/{orgId}` for every method of every registered route; HEAD is left out,
    /// as it answers wherever GET does and the spec does not list it.
    static var registeredOperations: Set<String> {
        var operations = Set<String>()
        for (route, methods) in SiteRoute.registered {
            for method in methods where method != .head { operations.insert("\(method.rawValue) \(route.path)") }
        }
        return operations
    }

    @Test("issue 12 item 4: every registered route is in openapi.yaml, and the spec names no route that is not registered")
    func routesMatch() {
        let specified = Set(Self.spec.operations.map { "\($0.method) \($0.path)" })
        let registered = Self.registeredOperations
        #expect(Self.spec.operations.count == specified.count, "an operation is listed twice")
        for missing in registered.subtracting(specified).sorted() {
            Issue.record("registered but missing from openapi.yaml: \(missing)")
        }
        for extra in specified.subtracting(registered).sorted() {
            Issue.record("in openapi.yaml but not registered: \(extra)")
        }
        #expect(registered.count > 100, "the route table looks empty: \(registered.count) operations")
    }

    @Test("issue 12 item 4: each operation declares exactly the path parameters its path's placeholders name")
    func pathParametersMatchPlaceholders() {
        for operation in Self.spec.operations {
            let placeholders = Set(OpenAPIOutline.placeholders(in: operation.path))
            let declared = Set(operation.parameters.compactMap { Self.spec.pathParameter($0) })
            #expect(declared == placeholders, "\(operation.method) \(operation.path): declares \(declared.sorted()), path has \(placeholders.sorted())")
        }
    }

    @Test("issue 12 item 4: every operation but the public ones needs the bearer token and documents 401")
    func authenticatedOperationsDocument401() {
        let publicOperations: Set<String> = [
            "GET /healthz", "GET /readyz", "POST /api/v1/login", "POST /api/v1/register", "GET /api/v1/register/orgs",
            "POST /api/v1/password-reset",
        ]
        for operation in Self.spec.operations {
            let name = "\(operation.method) \(operation.path)"
            #expect(operation.isPublic == publicOperations.contains(name), "\(name): security does not match the route's")
            if !operation.isPublic { #expect(operation.statuses.contains("401"), "\(name) does not document 401") }
        }
    }

    @Test("issue 12 item 4: the reader sees the spec's structure (so an empty outline cannot pass the tests above)")
    func outlineReadsTheSpec() {
        let archive = Self.spec.operations.first { $0.method == "PUT" && $0.path == "/api/v1/members/{memberId}/archive" }
        #expect(archive?.parameters == ["memberId"])
        #expect(archive?.statuses.contains("201") == true)
        #expect(Self.spec.pathParameter("orgId") == "orgId")
        #expect(OpenAPIOutline.placeholders(in: "/api/v1/orgs/{orgId}/grading/{year}") == ["orgId", "year"])
    }
}

/// The parts of `openapi.yaml` the tests compare, read from its block-style YAML (the form the
/// file is kept in: two spaces per level, one key per line) without a YAML library.
struct OpenAPIOutline {
    struct Operation: Equatable {
        let method: String
        let path: String
        /// Names of the parameters (`$ref` to components or inline `name:`), in order.
        var parameters: [String] = []
        /// The response status keys: "200", "404", ….
        var statuses: [String] = []
        /// `security: []`: no token needed.
        var isPublic = false
    }

    private(set) var operations: [Operation] = []
    /// Component parameters that are `in: path`, by their component key.
    private var pathComponents: [String: String] = [:]
    /// Inline parameters that are `in: path` (name → name).
    private var inlinePath: Set<String> = []

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "options", "head", "trace"]

    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var section = ""
        var componentSection = ""
        var path: String?
        var current: Operation?
        var inParameters = false
        var inResponses = false
        var componentName: String?
        var componentParamName: String?
        var inlineName: String?

        func flush() {
            if let op = current { operations.append(op) }
            current = nil
        }

        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            let content = line.dropFirst(indent)
            if indent == 0 {
                flush()
                section = String(content.split(separator: ":").first ?? "")
                continue
            }
            if section == "paths" {
                if indent == 2 {
                    flush()
                    path = Self.unquoted(String(content.dropLast()))
                } else if indent == 4, let path {
                    flush()
                    let key = String(content.dropLast())
                    if Self.methods.contains(key) { current = Operation(method: key.uppercased(), path: path) }
                    inParameters = false
                    inResponses = false
                } else if indent == 6, current != nil, !(inParameters && content.hasPrefix("- ")) {
                    inParameters = content == "parameters:"
                    inResponses = content == "responses:"
                    if content == "security: []" { current?.isPublic = true }
                } else if inParameters, current != nil {
                    if let name = Self.value(of: "- $ref", in: content) {
                        current?.parameters.append(String(name.split(separator: "/").last ?? ""))
                    } else if let name = Self.value(of: "- name", in: content) {
                        inlineName = name
                        current?.parameters.append(name)
                    } else if let location = Self.value(of: "in", in: content), location == "path", let inlineName {
                        inlinePath.insert(inlineName)
                    }
                } else if inResponses, indent == 8, current != nil {
                    current?.statuses.append(Self.unquoted(String(content.dropLast())))
                }
            } else if section == "components" {
                if indent == 2 {
                    componentSection = String(content.dropLast())
                } else if componentSection == "parameters" {
                    if indent == 4 {
                        componentName = String(content.dropLast())
                        componentParamName = nil
                    } else if indent == 6, let componentName {
                        if let name = Self.value(of: "name", in: content) { componentParamName = name }
                        if Self.value(of: "in", in: content) == "path" { pathComponents[componentName] = componentParamName ?? componentName }
                    }
                }
            }
        }
        flush()
    }

    /// The path parameter a parameter entry stands for, nil for query and header parameters.
    func pathParameter(_ entry: String) -> String? {
        pathComponents[entry] ?? (inlinePath.contains(entry) ? entry : nil)
    }

    static func placeholders(in path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// `key: value` → value, unquoted.
    private static func value(of key: String, in content: Substring) -> String? {
        guard content.hasPrefix(key + ": ") else { return nil }
        return unquoted(String(content.dropFirst(key.count + 2)))
    }

    private static func unquoted(_ text: String) -> String {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let first = t.first, first == "'" || first == "\"", t.last == first { t = String(t.dropFirst().dropLast()) }
        return t
    }
}
