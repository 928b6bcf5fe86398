import Foundation
import Testing

@testable import PDFInspection

/// The queue inspections wait in for a child slot: served in turns by lane (org), bounded in
/// all and per lane, and left at once by a cancelled waiter.
@Suite("Inspection queue")
struct InspectionQueueTests {
    /// Who got the slot, in order.
    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func append(_ name: String) { lock.withLock { names.append(name) } }
        var all: [String] { lock.withLock { names } }
    }

    /// Suspends until `count` callers wait (the order they joined in is the order tested).
    static func untilWaiting(_ queue: InspectionQueue, _ count: Int) async throws {
        for _ in 0..<10_000 {
            if queue.waiting == count { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("the queue never had \(count) waiting (has \(queue.waiting))")
    }

    @Test("one org's burst does not delay another org's file: lanes are served in turn")
    func roundRobin() async throws {
        let queue = InspectionQueue(limits: .init(concurrency: 1, maximumWaiting: 10, maximumWaitingPerLane: 10), retryAfterSeconds: 5)
        try await queue.acquire(lane: "busy-org")
        let order = Order()
        var tasks: [Task<Void, any Error>] = []
        for (index, (lane, name)) in [("busy-org", "a1"), ("busy-org", "a2"), ("busy-org", "a3"), ("quiet-org", "b1")].enumerated() {
            tasks.append(
                Task {
                    try await queue.acquire(lane: lane)
                    order.append(name)
                    queue.release()
                })
            try await Self.untilWaiting(queue, index + 1)
        }
        queue.release()
        for task in tasks { try await task.value }
        // b1 came last, behind three of busy-org's files, and is served second.
        #expect(order.all == ["a1", "b1", "a2", "a3"])
        #expect(queue.waiting == 0)
    }

    @Test("past the per-org or the total bound, acquire refuses at once with a Retry-After hint")
    func bounded() async throws {
        let queue = InspectionQueue(limits: .init(concurrency: 1, maximumWaiting: 3, maximumWaitingPerLane: 2), retryAfterSeconds: 7)
        try await queue.acquire(lane: "x")
        var waiters: [Task<Void, any Error>] = []
        for (index, lane) in ["x", "x", "y"].enumerated() {
            waiters.append(Task { try await queue.acquire(lane: lane); queue.release() })
            if index == 1 {
                // x has its two places: a third from x is refused, though the queue has room.
                try await Self.untilWaiting(queue, 2)
                await #expect(throws: InspectionQueueFull(bound: .lane, retryAfterSeconds: 7)) { try await queue.acquire(lane: "x") }
            }
        }
        try await Self.untilWaiting(queue, 3)
        await #expect(throws: InspectionQueueFull(bound: .total, retryAfterSeconds: 7)) { try await queue.acquire(lane: "z") }
        queue.release()
        for waiter in waiters { try await waiter.value }
        // Everyone served, the slot is free again.
        try await queue.acquire(lane: "z")
        queue.release()
    }

    @Test("page renders wait unbounded in their own lane, take their turn, and use none of the uploads' places")
    func unboundedRenders() async throws {
        let queue = InspectionQueue(limits: .init(concurrency: 1, maximumWaiting: 1, maximumWaitingPerLane: 1), retryAfterSeconds: 1)
        try await queue.acquire(lane: "org")
        let order = Order()
        var tasks: [Task<Void, any Error>] = []
        // A review page's twelve images at once, though the queue holds one waiting upload.
        for page in 1...12 {
            tasks.append(Task { try await queue.acquire(lane: "render", bounded: false); order.append("p\(page)"); queue.release() })
            try await Self.untilWaiting(queue, page)
        }
        // The upload's one place is still free, and its turn comes right after the first image.
        tasks.append(Task { try await queue.acquire(lane: "org"); order.append("upload"); queue.release() })
        try await Self.untilWaiting(queue, 13)
        await #expect(throws: InspectionQueueFull(bound: .total, retryAfterSeconds: 1)) { try await queue.acquire(lane: "other") }
        queue.release()
        for task in tasks { try await task.value }
        #expect(order.all == ["p1", "upload"] + (2...12).map { "p\($0)" })
    }

    @Test("a cancelled waiter leaves the queue at once and never takes the slot")
    func cancelledWaiter() async throws {
        let queue = InspectionQueue(limits: .init(concurrency: 1, maximumWaiting: 1, maximumWaitingPerLane: 1), retryAfterSeconds: 1)
        try await queue.acquire(lane: "x")
        let gone = Task { try await queue.acquire(lane: "x") }
        try await Self.untilWaiting(queue, 1)
        gone.cancel()
        await #expect(throws: CancellationError.self) { try await gone.value }
        #expect(queue.waiting == 0)
        // Its place is free: another may wait, and gets the slot the holder gives back.
        let next = Task { try await queue.acquire(lane: "x") }
        try await Self.untilWaiting(queue, 1)
        queue.release()
        try await next.value
        queue.release()
    }

    @Test("an inspection whose queue is full is refused before any child starts")
    func inspectorRefusesWhenFull() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(TestPDF.scannedForm(pages: 12, imageWidth: 30, imageHeight: 42), named: "form.pdf")
        // No slot and no waiting place: the executable would never be started anyway.
        let inspector = IsolatedInspector(
            executable: "/nonexistent/zhtj-inspect", limits: .init(cpuSeconds: 1, wallSeconds: 2),
            queue: .init(concurrency: 1, maximumWaiting: 0, maximumWaitingPerLane: 0))
        try await inspector.queue.acquire(lane: "holder")
        await #expect(throws: InspectionQueueFull(bound: .total, retryAfterSeconds: 2)) {
            try await inspector.inspect(fileAt: file, policy: InspectionPolicy(), sha256: nil, lane: "org")
        }
        // The lane-less call, for callers that cannot answer "later", reports it instead.
        let report = await inspector.inspect(fileAt: file, policy: InspectionPolicy())
        #expect(report.failure == "queue_full" && report.refusal == .inspectionUnavailable)
        inspector.queue.release()
    }
}
