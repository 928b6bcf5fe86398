import Foundation
import Testing
@testable import Spreadsheet

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let pythonScripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("python")

struct PythonUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// The python with openpyxl that scripts/test provides. Never a silent skip: these tests are
/// the only check of the codec against an independent implementation.
func testPython() throws -> String {
    if let path = ProcessInfo.processInfo.environment["ZHTJ_TEST_PYTHON"], !path.isEmpty { return path }
    let venv = repositoryRoot.appendingPathComponent(".build/test-venv/bin/python").path
    if FileManager.default.isExecutableFile(atPath: venv) { return venv }
    throw PythonUnavailable(description: """
        ZHTJ_TEST_PYTHON is not set and \(venv) does not exist: run scripts/test, which makes \
        .build/test-venv with openpyxl (or: bash -c '. scripts/lib.sh; ensure_test_venv')
        """)
}

/// Runs one of the scripts in python/ and returns its standard output.
@discardableResult
func runPython(_ script: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try testPython())
    process.arguments = [pythonScripts.appendingPathComponent(script).path] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PythonUnavailable(description: "\(script) \(arguments) failed: \(String(decoding: message, as: UTF8.self))")
    }
    return data
}

func temporaryFile(_ name: String) -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-sheet-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name)
}

/// A workbook one of the python scripts writes: `script case` → the file's bytes.
func pythonWorkbook(_ script: String, _ variant: String, extension ext: String = "xlsx") throws -> Data {
    let file = temporaryFile("\(variant).\(ext)")
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    try runPython(script, [variant, file.path])
    return try Data(contentsOf: file)
}

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: repositoryRoot.appendingPathComponent("fixtures/spreadsheets/\(name)"))
}

func text(_ value: String) -> CellValue { .text(value) }

/// A date cell's `isoText` (`2008-05-04`, `2010-01-02 08:30:15`); anything else fails.
func expectDate(_ cell: CellValue, _ expected: String, serial: Double? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .date(let value) = cell else {
        Issue.record("expected a date, got \(cell)", sourceLocation: sourceLocation)
        return
    }
    #expect(value.isoText == expected, sourceLocation: sourceLocation)
    if let serial { #expect(value.serial == serial, sourceLocation: sourceLocation) }
}

func expectNumber(_ cell: CellValue, _ value: Double, raw: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .number(let number, let written) = cell else {
        Issue.record("expected a number, got \(cell)", sourceLocation: sourceLocation)
        return
    }
    #expect(number == value, sourceLocation: sourceLocation)
    if let raw { #expect(written == raw, sourceLocation: sourceLocation) }
}

/// Reads and expects a refusal.
func expectRefusal(_ data: Data, _ expected: SpreadsheetError, limits: SpreadsheetLimits = SpreadsheetLimits(),
                   sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let workbook = try SpreadsheetReader(limits: limits).read(data)
        Issue.record("expected \(expected), read \(workbook.sheets.count) sheet(s)", sourceLocation: sourceLocation)
    } catch {
        #expect(error == expected, sourceLocation: sourceLocation)
    }
}
