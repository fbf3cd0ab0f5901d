import ArgumentParser

/// `faultline`: builds a small world of network namespaces, plays faults against a client and
/// judges what the client did.
@main
struct Faultline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "Chaos-test client code: partitions and other faults on a testbed of network namespaces.",
        version: "0.1.0",
        subcommands: [Run.self, Validate.self, Report.self, Doctor.self, Cleanup.self, Burn.self]
    )
}
