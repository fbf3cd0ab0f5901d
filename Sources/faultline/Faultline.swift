import ArgumentParser
import Glibc
import Guest

/// `faultline`: builds a small world of network namespaces, plays faults against a client and
/// judges what the client did.
struct Faultline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "Chaos-test client code: partitions and other faults on a testbed of network namespaces.",
        version: "0.1.0",
        subcommands: [Run.self, Validate.self, Report.self, Doctor.self, Cleanup.self, GuestCommand.self, Burn.self]
    )
}

/// The entry point. As PID 1 of Faultline's guest kernel this executable is the guest's init:
/// there, before anything mounts /proc, the command line cannot be read (Swift takes it from
/// /proc/self/cmdline), so the launcher names the session in the environment instead.
@main
enum Entry {
    static func main() async {
        if getpid() == 1, let session = GuestInit.sessionFromEnvironment {
            GuestInit.run(sessionPath: session)
        }
        await Faultline.main()
    }
}
