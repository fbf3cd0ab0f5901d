import Foundation
@testable import Guest
import Testing

struct GuestLauncherTests {
    @Test(arguments: [
        (["run", "a.yaml", "--kernel", "guest", "--quiet"], ["run", "a.yaml", "--quiet"]),
        (["run", "--kernel=guest", "a.yaml", "--guest-memory", "512"], ["run", "a.yaml"]),
        (["run", "a.yaml", "--guest-memory=1024", "--seed", "3"], ["run", "a.yaml", "--seed", "3"]),
        (["run", "--", "--kernel", "x"], ["run", "--", "--kernel", "x"]),
    ])
    func theGuestRunsTheSameCommandWithoutTheGuestOptions(arguments: [String], expected: [String]) {
        #expect(GuestLauncher.removingOptions(["--kernel", "--guest-memory"], from: arguments) == expected)
    }

    /// The kernel's command line: the host's root, consoles on stdout and stderr, the run folder
    /// in the session, this executable as init with the session in its environment.
    @Test func theKernelCommandLineMakesTheHostsFilesTheGuestsRoot() {
        let kernel = GuestKernel(executable: "/usr/bin/linux.uml", release: "6.1.176", modulesDirectory: "/usr/lib/uml/modules/6.1.176")
        let session = GuestSession(id: "g123456", path: "/run/faultline/guests/g123456")
        let line = GuestLauncher(kernel: kernel, memoryMegabytes: 512, initProgram: "/opt/faultline").commandLine(session)
        #expect(line.first == "/usr/bin/linux.uml")
        for part in ["mem=512M", "rootfstype=hostfs", "rootflags=/", "con0=fd:0,fd:1", "con1=null,fd:2", "umid=g123456",
                     "uml_dir=/run/faultline/guests/g123456/uml", "init=/opt/faultline",
                     "FAULTLINE_GUEST_SESSION=/run/faultline/guests/g123456"] {
            #expect(line.contains(part), "\(part) missing from \(line)")
        }
        #expect(session.consoleSocket == "/run/faultline/guests/g123456/uml/g123456/mconsole")
    }

    /// `mconsole` requests: magic 0xcafebabe, version 2, the length, then the command.
    @Test func managementConsoleRequestsCarryMagicVersionAndLength() {
        let bytes = ManagementConsole.request("cad")
        #expect(bytes.count == 15)
        let words = (0..<3).map { i in bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self) } }
        #expect(words == [0xcafe_babe, 2, 3])
        #expect(Array(bytes[12...]) == Array("cad".utf8))
    }

    @Test func jobsAndStatusesRoundTripThroughJSON() throws {
        let job = GuestJob(arguments: ["faultline", "run", "x.yaml"], directory: "/work", environment: ["PATH": "/usr/bin"],
                           stdoutIsTerminal: false, stderrIsTerminal: true, modulesDirectory: "/m", modules: ["veth"])
        #expect(try JSONDecoder().decode(GuestJob.self, from: JSONEncoder().encode(job)) == job)
        let status = GuestStatus(exitCode: 130, bootSeconds: 1.9, moduleFailures: ["x"], failure: nil)
        #expect(try JSONDecoder().decode(GuestStatus.self, from: JSONEncoder().encode(status)) == status)
    }
}
