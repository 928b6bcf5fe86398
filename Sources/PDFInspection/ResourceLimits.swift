#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kernel resource limits the inspecting child puts on itself before it reads the file.
///
/// Foundation's `Process` has no pre-exec hook, so the parent cannot set them between fork and
/// exec; the child (`zhtj-inspect --limit-cpu S --limit-memory BYTES`) applies them as its first
/// act instead. Limits only ever go down, so nothing the file does afterwards can lift them.
public enum ResourceLimits {
    public enum Failure: Error, CustomStringConvertible {
        case setrlimit(resource: String, errno: Int32)

        public var description: String {
            switch self {
            case .setrlimit(let resource, let code):
                "setrlimit(\(resource)) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    /// - CPU: `cpuSeconds` of CPU time, then SIGXCPU (which kills: nothing handles it), and
    ///   SIGKILL one second later should the signal be caught.
    /// - Address space (`RLIMIT_AS`): `addressSpaceBytes`; poppler's and cairo's allocations fail
    ///   beyond it, which ends the process (poppler aborts on out-of-memory).
    /// - Core dumps off: a crash must not write a 1 GiB core of an applicant's form.
    public static func apply(cpuSeconds: Int?, addressSpaceBytes: Int?) throws(Failure) {
        if let cpuSeconds {
            let soft = rlim_t(max(1, cpuSeconds))
            try lower(resourceCPU, name: "RLIMIT_CPU", soft: soft, hard: soft + 1)
        }
        if let addressSpaceBytes {
            let bytes = rlim_t(max(1 << 20, addressSpaceBytes))
            try lower(resourceAddressSpace, name: "RLIMIT_AS", soft: bytes, hard: bytes)
        }
        try lower(resourceCore, name: "RLIMIT_CORE", soft: 0, hard: 0)
    }

    #if canImport(Glibc)
    private typealias Resource = __rlimit_resource_t
    private static let resourceCPU = Resource(RLIMIT_CPU.rawValue)
    private static let resourceAddressSpace = Resource(RLIMIT_AS.rawValue)
    private static let resourceCore = Resource(RLIMIT_CORE.rawValue)
    #else
    private typealias Resource = Int32
    private static let resourceCPU = RLIMIT_CPU
    private static let resourceAddressSpace = RLIMIT_AS
    private static let resourceCore = RLIMIT_CORE
    #endif

    /// Never raises a limit: a value above the current hard limit is clamped to it.
    private static func lower(_ resource: Resource, name: String, soft: rlim_t, hard: rlim_t) throws(Failure) {
        var current = rlimit()
        guard getrlimit(resource, &current) == 0 else { throw .setrlimit(resource: name, errno: errno) }
        var wanted = rlimit(rlim_cur: min(soft, current.rlim_max), rlim_max: min(hard, current.rlim_max))
        wanted.rlim_cur = min(wanted.rlim_cur, wanted.rlim_max)
        guard setrlimit(resource, &wanted) == 0 else { throw .setrlimit(resource: name, errno: errno) }
    }
}
