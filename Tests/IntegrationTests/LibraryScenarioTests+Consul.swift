import Testing

/// The Consul, HTTP-registration and DNS incidents of the library: each correct client passes, each
/// broken one fails on the expectations that name its misbehaviour (same check as `verdictIsAsDesigned`).
extension LibraryScenarioTests {
    static let consulCases: [Case] = [
        Case(file: "consul-kv-client-errors.yaml", failing: []),
        Case(file: "consul-kv-client-errors-broken.yaml", failing: [
            "no retry on 400", "no retry on 403 (token revoked)", "no retry on 401", "404 is \"not set\", not retried",
            "uses the default for the unset key", "no storm while the token is revoked",
        ]),
    ]

    @Test(arguments: consulCases)
    func consulVerdictIsAsDesigned(_ c: Case) throws {
        try verdictIsAsDesigned(c)
    }
}
