import ScenarioFormat
import Testing
@testable import Services

struct HTTPFaultRulesTests {
    @Test func firstRuleThatShapesWinsAndEveryMatchCounts() {
        let rules = HTTPFaultRules()
        rules.install(HTTPFaultRule(name: "a", match: HTTPMatch(path: "/v1/*"), action: .respond(HTTPFaultReply(status: 429)), first: 1))
        rules.install(HTTPFaultRule(name: "b", action: .respond(HTTPFaultReply(status: 503))))
        let faults = (0..<3).map { _ in rules.decide(method: "GET", path: "/v1/x")?.fault }
        #expect(faults == ["a", "b", "b"])
        #expect(rules.decide(method: "GET", path: "/other")?.fault == "b")
    }

    @Test func methodMustMatch() {
        let rules = HTTPFaultRules()
        rules.install(HTTPFaultRule(name: "put", match: HTTPMatch(path: "*", method: "PUT"), action: .abort(.reset)))
        #expect(rules.decide(method: "GET", path: "/a") == nil)
        #expect(rules.decide(method: "PUT", path: "/a")?.action == .abort(.reset))
    }

    @Test func reinstallingRestartsTheCount() {
        let rules = HTTPFaultRules()
        let rule = HTTPFaultRule(name: "x", action: .respond(HTTPFaultReply(status: 500)), first: 1)
        rules.install(rule)
        #expect(rules.decide(method: "GET", path: "/") != nil)
        #expect(rules.decide(method: "GET", path: "/") == nil)
        rules.install(rule)
        #expect(rules.decide(method: "GET", path: "/") != nil)
    }

    @Test func summaryNamesEverything() {
        let rule = HTTPFaultRule(name: "x", match: HTTPMatch(path: "/v1/kv/*", method: "GET"),
                                 action: .respond(HTTPFaultReply(status: 429, retryAfter: 1)), first: 2, delay: .milliseconds(200))
        #expect(rule.summary == "GET /v1/kv/* → 429 Retry-After: 1 (first 2), delay 200ms")
    }
}
