import NIOCore
import ScenarioFormat
import Testing
@testable import Services

struct HTTPServiceHandlerTests {
    static let routes = RouteResponder(routes: [
        HTTPRoute(path: "/v1/items", respond: HTTPReply(status: 200, body: #"{"items":[]}"#)),
        HTTPRoute(path: "/v1/items", method: "POST", respond: HTTPReply(status: 201)),
        HTTPRoute(path: "/files/*", method: "GET", respond: HTTPReply(status: 200, body: "file",
                                                                       headers: [HTTPHeader("X-Kind", "glob")])),
    ])

    @Test func routedAnswerIsOneWriteWithLengthAndRecorded() throws {
        let s = try EmbeddedService(Self.routes)
        let a = try s.exchange("GET", "/v1/items")
        #expect(a.status == 200)
        #expect(a.body == #"{"items":[]}"#)
        #expect(a.headers["content-length"] == "12")
        #expect(a.headers["content-type"] == "application/json")
        #expect(s.requests.map(\.path) == ["/v1/items"])
        #expect(s.requests.first?.from == "client")
        #expect(s.responses.map(\.status) == [200])
        #expect(s.responses.first?.via == "service:api")
        #expect(s.responses.first?.exchange == s.requests.first?.exchange)
    }

    @Test(arguments: [
        ("GET", "/files/a/b.txt", 200), ("POST", "/files/a", 404), ("GET", "/nothing", 404), ("POST", "/v1/items", 200),
        ("HEAD", "/files/x", 200),
    ])
    func routesMatchPathAndMethodInOrder(method: String, path: String, status: Int) throws {
        let s = try EmbeddedService(Self.routes)
        #expect(try s.exchange(method, path).status == status)
    }

    @Test func headAnnouncesLengthWithoutBody() throws {
        let s = try EmbeddedService(Self.routes)
        let a = try s.exchange("HEAD", "/files/x")
        #expect(a.headers["content-length"] == "4")
        #expect(a.body.isEmpty)
    }

    @Test func keepAliveServesPipelinedRequestsInOrder() throws {
        let s = try EmbeddedService(Self.routes)
        try s.send("GET /v1/items HTTP/1.1\r\nHost: a\r\n\r\nGET /nothing HTTP/1.1\r\nHost: a\r\n\r\n")
        s.channel.embeddedEventLoop.run()
        let w = try s.writes()
        #expect(w.map { Answer($0).status } == [200, 404])
        #expect(s.channel.isActive)
    }

    @Test func connectionCloseEndsTheConnection() throws {
        let s = try EmbeddedService(Self.routes)
        let a = try s.exchange("GET", "/v1/items", headers: ["Connection: close"])
        #expect(a.headers["connection"] == "close")
        #expect(!s.channel.isActive)
    }

    @Test func faultAnswersInsteadOfTheServiceAndIsNamed() throws {
        let s = try EmbeddedService(Self.routes)
        s.rules.install(HTTPFaultRule(
            name: "limit", match: HTTPMatch(path: "/v1/*"),
            action: .respond(HTTPFaultReply(status: 429, retryAfter: 1)), first: 2))
        let statuses = try (0..<3).map { _ in try s.exchange("GET", "/v1/items").status }
        #expect(statuses == [429, 429, 200])
        #expect(s.responses.map(\.fault) == ["limit", "limit", nil])
        #expect(s.responses.map(\.retryAfter) == ["1", "1", nil])
    }

    @Test func sequencePlaysOnceThenTheServiceAnswers() throws {
        let s = try EmbeddedService(Self.routes)
        s.rules.install(HTTPFaultRule(
            name: "flaky", action: .sequence([.reply(HTTPFaultReply(status: 503)), .pass, .reply(HTTPFaultReply(status: 500))])))
        let statuses = try (0..<4).map { _ in try s.exchange("GET", "/v1/items").status }
        #expect(statuses == [503, 200, 500, 200])
    }

    @Test func delayHoldsTheAnswer() throws {
        let s = try EmbeddedService(Self.routes)
        s.rules.install(HTTPFaultRule(name: "slow", action: .passThrough, delay: .milliseconds(200)))
        try s.send("GET /v1/items HTTP/1.1\r\nHost: a\r\n\r\n")
        s.channel.embeddedEventLoop.advanceTime(by: .milliseconds(199))
        #expect(try s.writes().isEmpty)
        s.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try s.writes().map { Answer($0).status } == [200])
        #expect(s.responses.first?.fault == "slow")
    }

    @Test(arguments: [HTTPAbort.reset, .close])
    func abortClosesWithoutAnswer(mode: HTTPAbort) throws {
        let s = try EmbeddedService(Self.routes)
        s.rules.install(HTTPFaultRule(name: "drop", action: .abort(mode)))
        try s.send("GET /v1/items HTTP/1.1\r\nHost: a\r\n\r\n")
        s.channel.embeddedEventLoop.run()
        #expect(try s.writes().isEmpty)
        #expect(!s.channel.isActive)
        #expect(s.requests.count == 1)
        #expect(s.responses.isEmpty)
    }

    @Test func healedRuleNoLongerApplies() throws {
        let s = try EmbeddedService(Self.routes)
        s.rules.install(HTTPFaultRule(name: "down", action: .respond(HTTPFaultReply(status: 503))))
        #expect(try s.exchange("GET", "/v1/items").status == 503)
        s.rules.remove(named: "down")
        #expect(try s.exchange("GET", "/v1/items").status == 200)
    }

    @Test func malformedRequestGets400AndClose() throws {
        let s = try EmbeddedService(Self.routes)
        try? s.send("NOT HTTP AT ALL\r\n\r\n")
        #expect(try s.writes().map { Answer($0).status } == [400])
        #expect(!s.channel.isActive)
    }
}
