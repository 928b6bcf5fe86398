#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PDFInspection

// `zhtj-inspect [inspect] [options] FILE`: the child the server starts for every upload and
// thumbnail. It links PDFInspection alone (no server, no ArgumentParser), so it starts fast;
// `zhtj inspect` runs the same ``InspectorCommand``. Exit 0 accepted, 1 refused, else a failure.
exit(InspectorCommand.main(Array(CommandLine.arguments.dropFirst()), program: "zhtj-inspect"))
