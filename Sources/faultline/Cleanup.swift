import ArgumentParser
import Foundation
import Glibc
import Guest
import Testbed

/// `faultline cleanup`: removes what dead runs left behind.
struct Cleanup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the namespaces, rules and processes of runs that died (e.g. by SIGKILL).",
        discussion: """
            Without root it removes only what this user's guest-kernel runs left (their guest kernels and session \
            folders); everything a guest run creates in the kernel ended with its guest.
            """)

    @Flag(help: "Also remove every fl- namespace that no live run claims.")
    var all = false

    func run() throws {
        // A guest whose launcher was SIGKILLed: its kernel's processes (if any survived the
        // keeper) and its session folder.
        let guests = GuestSession.abandoned().map { session in
            "guest session \(session.id): ended \(session.reap()) guest kernel process(es), removed \(session.path)"
        }
        for line in guests { print(line) }
        if getuid() != 0 {
            if guests.isEmpty { print("nothing to clean up for this user (namespaces of runs on this machine's kernel need root)") }
            return
        }
        let reports = Reaper.reapDeadRuns(orphans: all)
        if reports.isEmpty && guests.isEmpty {
            print("nothing to clean up")
            return
        }
        for r in reports { print(r) }
        if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(1) }
    }
}
