import BlobStore
import PDFInspection

/// Inspects a received upload in the isolated child while the disk makes it durable: both are
/// needed before the commit, neither needs the other. Archives and attachments both take this
/// way. Throws the inspector's errors (a full queue, cancellation), after the fsync under way
/// ends, so that the caller may discard the temp file next.
func inspectWhileSyncing(
    _ upload: BlobUpload, digest: BlobDigest, inspector: any ArchiveInspector, policy: InspectionPolicy, lane: String
) async throws -> InspectionReport {
    let durable = Task.detached { try upload.finish() }
    let report: InspectionReport
    let started = ContinuousClock.now
    do {
        report = try await inspector.inspect(fileAt: upload.path, policy: policy, sha256: digest.sha256, lane: lane)
        Telemetry.inspection(ContinuousClock.now - started, accepted: report.accepted)
    } catch {
        _ = try? await durable.value
        throw error
    }
    _ = try await durable.value
    return report
}
