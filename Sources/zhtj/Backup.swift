import BlobStore
import Crypto
import Foundation
import Logging
import Persistence

/// `zhtj backup DEST` and `zhtj restore SRC` (issue 12 item 5).
///
/// A backup is a folder: the database's consistent snapshot (`zhtj.sqlite` made by SQLite's
/// `VACUUM INTO`, or `database.pgdump` by `pg_dump --format=custom`), every stored blob under
/// `blobs/` by its SHA-256, and `MANIFEST` last, listing every file with its SHA-256: a folder
/// without it is an interrupted backup, and restore refuses it.
///
/// The snapshot comes first and the blobs after it. A blob is stored before the row that names
/// it is committed, and blobs are never removed, so every blob the snapshot names is there when
/// the copying starts; blobs stored meanwhile come along too, and restore leaves those out (it
/// restores the blobs the restored rows name), so `zhtj verify` is clean after a restore.
struct BackupFolder {
    static let manifestName = "MANIFEST"
    static let sqliteName = "zhtj.sqlite"
    static let postgresName = "database.pgdump"

    let path: String

    struct Entry: Equatable {
        let sha256: String
        let file: String
    }

    /// A file of the backup whose content is not what the manifest says (or that is missing).
    struct Damaged: Error, CustomStringConvertible {
        let file: String
        let reason: String
        var description: String { "backup damaged: \(file): \(reason)" }
    }

    // MARK: Backup

    /// Writes the backup of `database` and `blobs` into `path`, which must not exist yet.
    func write(database: Database, location: DatabaseLocation, blobs: any BlobStore) async throws -> (files: Int, bytes: Int) {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else { throw Damaged(file: path, reason: "already exists; a backup goes into a new folder") }
        try fm.createDirectory(atPath: path + "/blobs", withIntermediateDirectories: true)
        var entries: [Entry] = []
        var bytes = 0
        switch location {
        case .sqlite:
            let snapshot = path + "/" + Self.sqliteName
            // VACUUM INTO reads one transaction's view of the database, so a running service's
            // writes during it are either wholly in the copy or wholly not.
            try await database.sql.raw("VACUUM INTO \(bind: snapshot)").run()
            entries.append(Entry(sha256: try Self.hash(file: snapshot), file: Self.sqliteName))
        case .postgres(let url):
            let dump = path + "/" + Self.postgresName
            try Self.runTool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", dump, "--dbname", url])
            entries.append(Entry(sha256: try Self.hash(file: dump), file: Self.postgresName))
        }
        for sha in try await blobs.allBlobs().sorted() {
            // Read through the store: a blob that no longer matches its name stops the backup here.
            let source = try await blobs.verifiedPath(sha)
            let target = path + "/blobs/" + sha
            try Self.copyDurably(source, to: target)
            bytes += (try fm.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            entries.append(Entry(sha256: sha, file: "blobs/" + sha))
        }
        let manifest = entries.map { "\($0.sha256)  \($0.file)\n" }.joined()
        let staged = path + "/" + Self.manifestName + ".part"
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: staged))
        try Self.sync(staged)
        try fm.moveItem(atPath: staged, toPath: path + "/" + Self.manifestName)
        try Self.sync(path)
        return (entries.count, bytes)
    }

    // MARK: Restore

    /// The manifest's entries after every file was hashed and found as listed; throws `Damaged`
    /// naming the first file that is not, before anything is restored.
    func verified() throws -> [Entry] {
        let manifestPath = path + "/" + Self.manifestName
        guard let text = try? String(contentsOfFile: manifestPath, encoding: .utf8) else {
            throw Damaged(file: manifestPath, reason: "no manifest: not a backup, or an interrupted one")
        }
        var entries: [Entry] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { throw Damaged(file: manifestPath, reason: "unreadable line '\(line)'") }
            let entry = Entry(sha256: String(parts[0]), file: parts[1].trimmingCharacters(in: .whitespaces))
            guard !entry.file.contains(".."), !entry.file.hasPrefix("/") else { throw Damaged(file: manifestPath, reason: "a path outside the backup") }
            let file = path + "/" + entry.file
            guard FileManager.default.fileExists(atPath: file) else { throw Damaged(file: file, reason: "missing") }
            let actual = try Self.hash(file: file)
            guard actual == entry.sha256 else { throw Damaged(file: file, reason: "hashes to \(actual), the manifest says \(entry.sha256)") }
            entries.append(entry)
        }
        return entries
    }

    /// Restores the verified backup into an empty database and blob store: the database first,
    /// then the blobs its rows name. Returns how many blobs were restored and left out.
    func restore(_ entries: [Entry], into location: DatabaseLocation, openDatabase: () async throws -> Database, blobs: any BlobStore)
        async throws -> (blobs: Int, leftOut: Int)
    {
        guard try await blobs.allBlobs().isEmpty else { throw Damaged(file: "target", reason: "the blob store is not empty; restore goes into an empty data folder") }
        switch location {
        case .sqlite(let target):
            guard entries.contains(where: { $0.file == Self.sqliteName }) else { throw Damaged(file: path, reason: "no SQLite snapshot in this backup") }
            guard !FileManager.default.fileExists(atPath: target) else {
                throw Damaged(file: target, reason: "a database is already there; restore goes into an empty data folder")
            }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.copyDurably(path + "/" + Self.sqliteName, to: target)
        case .postgres(let url):
            guard entries.contains(where: { $0.file == Self.postgresName }) else { throw Damaged(file: path, reason: "no PostgreSQL dump in this backup") }
            let database = try await openDatabase()
            let tables = try await database.sql.raw(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()").first()?
                .decode(column: "n", as: Int.self) ?? 0
            try await database.close()
            guard tables == 0 else { throw Damaged(file: "target", reason: "the database is not empty; restore goes into an empty database") }
            try Self.runTool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", url, path + "/" + Self.postgresName])
        }
        let database = try await openDatabase()
        var named = Set<String>()
        do {
            for version in try await database.repositories.archives.allVersions() { named.insert(version.sha256) }
            for attachment in try await database.repositories.attachments.all() { named.insert(attachment.sha256) }
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
        var restored = 0, leftOut = 0
        for entry in entries where entry.file.hasPrefix("blobs/") {
            guard named.contains(entry.sha256) else {
                leftOut += 1
                continue
            }
            let upload = try blobs.makeUpload()
            defer { upload.discard() }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path + "/" + entry.file))
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try upload.write($0) }
            }
            _ = try upload.seal()
            try upload.finish()
            let stored = try await blobs.commit(upload)
            guard stored.sha256 == entry.sha256 else { throw Damaged(file: entry.file, reason: "changed while it was restored") }
            restored += 1
        }
        return (restored, leftOut)
    }

    // MARK: Files

    static func hash(file: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Copies to a temp name beside `target`, syncs, renames, syncs the folder: a crash leaves
    /// the old state or the whole file, never part of one under its name.
    static func copyDurably(_ source: String, to target: String) throws {
        let staged = target + ".part"
        try? FileManager.default.removeItem(atPath: staged)
        try FileManager.default.copyItem(atPath: source, toPath: staged)
        try sync(staged)
        try FileManager.default.moveItem(atPath: staged, toPath: target)
        try sync((target as NSString).deletingLastPathComponent)
    }

    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Damaged(file: path, reason: "cannot open to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Damaged(file: path, reason: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    static func runTool(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            // The URL may carry a password: the tool's own message, never the arguments.
            throw Damaged(file: tool, reason: "exited \(process.terminationStatus): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
