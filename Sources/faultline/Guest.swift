import ArgumentParser
import Foundation
import Glibc
import Guest

/// `faultline guest -- COMMAND…`: runs a command inside Faultline's guest kernel (Debian's
/// user-mode Linux), where netem, cgroup v2 and x_tables are to be had without host root or
/// modprobe. `faultline run --kernel guest` is this with `faultline run` as the command.
struct GuestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Run a command inside Faultline's guest kernel (user-mode Linux: netem, cgroup v2, no root needed).",
        discussion: """
            The guest's root file system is this machine's, seen with your rights: the command starts in this folder \
            with this environment, and what it writes lands here. Whatever it creates in the kernel (namespaces, \
            qdiscs, cgroups, processes) ends with the guest. Needs Debian's user-mode-linux package. \
            Exit status: the command's; 2 when the guest cannot start.
            """)

    @Option(name: .customLong("memory"), help: "The guest's memory in MiB (backed lazily by a file in tmpfs).")
    var memoryMegabytes: Int = 2048

    @Flag(help: "Only say whether the guest kernel is available here, and why not (exit 0 or 2).")
    var check = false

    @Flag(help: "Print the guest's boot time and the command's wall time on stderr.")
    var verbose = false

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).")
    var command: [String] = []

    func validate() throws {
        guard memoryMegabytes >= 256 else { throw ValidationError("--memory must be at least 256 (MiB)") }
        if !check && arguments.isEmpty { throw ValidationError("name the command to run in the guest after --") }
    }

    private var arguments: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() throws {
        let kernel: GuestKernel
        switch GuestKernel.locate() {
        case .success(let k): kernel = k
        case .failure(let error):
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        if check {
            print("guest kernel: user-mode Linux \(kernel.release) (\(kernel.executable), modules in \(kernel.modulesDirectory))")
            return
        }
        let code = try GuestRun.run(arguments, kernel: kernel, memoryMegabytes: memoryMegabytes, verbose: verbose)
        if code != 0 { throw ExitCode(code) }
    }
}

/// Runs a command in the guest and reports how the guest itself fared.
enum GuestRun {
    static func run(_ arguments: [String], kernel: GuestKernel, memoryMegabytes: Int, verbose: Bool) throws -> Int32 {
        let outcome: GuestLauncher.Outcome
        do {
            outcome = try GuestLauncher(kernel: kernel, memoryMegabytes: memoryMegabytes).run(arguments)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        for failure in outcome.status.moduleFailures { Console.error("warning: guest kernel: \(failure)") }
        if let failure = outcome.status.failure {
            Console.error("error: the guest could not run \(arguments[0]): \(failure)")
            throw ExitCode(2)
        }
        if verbose {
            Console.error(String(format: "guest: user-mode Linux %@, booted in %.2f s; the command ended after %.2f s (exit %d)",
                                 kernel.release, outcome.status.bootSeconds, outcome.wallSeconds, outcome.status.exitCode))
        }
        return outcome.status.exitCode
    }
}
