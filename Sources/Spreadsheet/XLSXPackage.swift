import Foundation
import ZIPFoundation

/// The zip of an .xlsx, opened for reading parts under a budget.
///
/// Sizes in zip headers are whatever the file's author wrote, so the declared sizes are only a
/// first check: every part is also counted while it inflates and dropped as soon as it passes
/// its share of the budget, before the bytes are kept.
final class XLSXPackage {
    private let archive: Archive
    private var entries: [String: Entry] = [:]
    private var lowercasedPaths: [String: String] = [:]
    private let limits: SpreadsheetLimits
    private var unpackedBytes = 0

    init(data: Data, limits: SpreadsheetLimits) throws(SpreadsheetError) {
        self.limits = limits
        // Read from a file, not from memory: ZIPFoundation's in-memory reader traps (a negative
        // range) when a hostile zip makes it seek past the end of the data, and a trap here would
        // take the whole server down (found by HostileFileTests). The file is unlinked once open.
        let staged = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-xlsx-\(UUID().uuidString)")
        do {
            guard FileManager.default.createFile(atPath: staged.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw SpreadsheetError.damaged("cannot stage the upload for reading")
            }
            defer { try? FileManager.default.removeItem(at: staged) }
            archive = try Archive(url: staged, accessMode: .read)
        } catch let error as SpreadsheetError {
            throw error
        } catch {
            throw .damaged("not a readable zip: \(error)")
        }
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxEntries { throw .tooManyEntries(limit: limits.maxEntries) }
            // Some Windows tools write backslashes; a leading slash is not part of a part name.
            var path = entry.path.replacingOccurrences(of: "\\", with: "/")
            while path.hasPrefix("/") { path.removeFirst() }
            entries[path] = entry
            lowercasedPaths[path.lowercased()] = path
        }
        if count == 0 { throw .damaged("zip with no entries") }
    }

    func contains(_ path: String) -> Bool { entry(path) != nil }

    /// Part names are case-insensitive in OPC.
    private func entry(_ path: String) -> Entry? {
        if let entry = entries[path] { return entry }
        return lowercasedPaths[path.lowercased()].flatMap { entries[$0] }
    }

    /// The part's bytes, or nil when absent.
    func read(_ path: String) throws(SpreadsheetError) -> Data? {
        guard let entry = entry(path) else { return nil }
        guard entry.type == .file else { return nil }
        let remaining = max(limits.maxUncompressedBytes - unpackedBytes, 0)
        let declared = Int(clamping: entry.uncompressedSize)
        let compressed = max(Int(clamping: entry.compressedSize), 1)
        if declared > remaining || (declared > limits.ratioCheckFloor && declared / compressed > limits.maxCompressionRatio) {
            throw .uncompressedTooLarge(limit: limits.maxUncompressedBytes)
        }
        var data = Data()
        data.reserveCapacity(declared)
        do {
            // Inflating past the declared size means the header lied, which only a bomb needs.
            _ = try archive.extract(entry, bufferSize: 64 * 1024) { chunk in
                if data.count + chunk.count > declared { throw BudgetExceeded() }
                data.append(chunk)
            }
        } catch is BudgetExceeded {
            throw .uncompressedTooLarge(limit: limits.maxUncompressedBytes)
        } catch {
            throw .damaged("cannot unpack \(path): \(error)")
        }
        unpackedBytes += data.count
        return data
    }

    private struct BudgetExceeded: Error {}
}
