import Testing
@testable import Services

struct PathPatternTests {
    @Test(arguments: [
        ("/v1/kv/*", "/v1/kv/config/db", true), ("/v1/kv/*", "/v1/kv/", true), ("/v1/kv/*", "/v1/kv", false),
        ("*", "/anything", true), ("/a", "/a", true), ("/a", "/a/b", false), ("/a/*/c", "/a/x/y/c", true),
        ("/a/*/c", "/a/x/d", false), ("*.json", "/x.json", true),
    ])
    func globMatchesWholePath(pattern: String, path: String, matches: Bool) {
        #expect(PathPattern(pattern).matches(path) == matches)
    }
}
