import Foundation
import NIOCore
import ScenarioFormat
import Testing
@testable import Services

struct ConsulKVResponderTests {
    func service(acl: String? = nil) throws -> (EmbeddedService, ConsulKVStore) {
        let store = ConsulKVStore(entries: [KVEntry("config/db", "postgres://db:5432/app"), KVEntry("config/mode", "fast")])
        return (try EmbeddedService(ConsulKVResponder(store: store, aclToken: acl)), store)
    }

    func entries(_ a: Answer) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(a.body.utf8)) as! [[String: Any]]
    }

    @Test func getReturnsEntryWithBase64ValueAndIndexes() throws {
        let (s, _) = try service()
        let a = try s.exchange("GET", "/v1/kv/config/db")
        #expect(a.status == 200)
        let e = try entries(a)
        #expect(e.count == 1)
        #expect(e[0]["Key"] as? String == "config/db")
        #expect(e[0]["Value"] as? String == Data("postgres://db:5432/app".utf8).base64EncodedString())
        #expect(e[0]["CreateIndex"] as? Int == 1)
        #expect(e[0]["ModifyIndex"] as? Int == 1)
        #expect(e[0]["LockIndex"] as? Int == 0)
        #expect(e[0]["Flags"] as? Int == 0)
        #expect(a.headers["x-consul-index"] == "1")
        #expect(a.headers["x-consul-knownleader"] == "true")
    }

    @Test func missingKeyIs404WithIndex() throws {
        let (s, _) = try service()
        let a = try s.exchange("GET", "/v1/kv/nope")
        #expect(a.status == 404)
        #expect(a.headers["x-consul-index"] == "2")
    }

    @Test func recurseKeysSeparatorAndRaw() throws {
        let (s, _) = try service()
        #expect(try entries(s.exchange("GET", "/v1/kv/config?recurse")).map { $0["Key"] as? String } == ["config/db", "config/mode"])
        #expect(try s.exchange("GET", "/v1/kv/config?keys").body == #"["config/db","config/mode"]"#)
        #expect(try s.exchange("GET", "/v1/kv/?keys&separator=/").body == #"["config/"]"#)
        #expect(try s.exchange("GET", "/v1/kv/config/mode?raw").body == "fast")
    }

    @Test func putCasAndDelete() throws {
        let (s, store) = try service()
        let put = try s.exchange("PUT", "/v1/kv/app/x?flags=42", body: "hello")
        #expect(put.body == "true")
        #expect(put.headers["x-consul-index"] == "3")
        #expect(store.read(.key("app/x")).first?.flags == 42)
        #expect(try s.exchange("PUT", "/v1/kv/app/x?cas=0", body: "again").body == "false")
        #expect(try s.exchange("PUT", "/v1/kv/app/x?cas=3", body: "again").body == "true")
        #expect(store.read(.key("app/x")).first?.value == Array("again".utf8))
        #expect(try s.exchange("DELETE", "/v1/kv/config?recurse").body == "true")
        #expect(try s.exchange("GET", "/v1/kv/config/db").status == 404)
    }

    @Test(arguments: [("PUT", "/v1/kv/"), ("DELETE", "/v1/kv/"), ("GET", "/v1/kv/a?index=x"), ("GET", "/v1/kv/a?wait=soon"),
                      ("PUT", "/v1/kv/a?cas=-1"), ("GET", "/v1/kv/bad%zz"), ("GET", "/v1/kv/a%00b")])
    func malformedRequestsAre400WithIndex(method: String, uri: String) throws {
        let (s, _) = try service()
        let a = try s.exchange(method, uri)
        #expect(a.status == 400)
        #expect(a.headers["x-consul-index"] != nil)
    }

    @Test(arguments: [([String](), "", 403), (["X-Consul-Token: wrong"], "", 403), (["X-Consul-Token: s3cret"], "", 200),
                      ([], "?token=s3cret", 200), (["Authorization: Bearer s3cret"], "", 200)])
    func aclTokenIsRequired(headers: [String], query: String, status: Int) throws {
        let (s, _) = try service(acl: "s3cret")
        let a = try s.exchange("GET", "/v1/kv/config/db\(query)", headers: headers)
        #expect(a.status == status)
        #expect(a.headers["x-consul-index"] != nil)
    }

    @Test func blockingQueryWaitsForAChange() throws {
        let (s, store) = try service()
        try s.send("GET /v1/kv/config/db?index=1&wait=5s HTTP/1.1\r\nHost: c\r\n\r\n")
        s.channel.embeddedEventLoop.run()
        #expect(try s.writes().isEmpty)
        #expect(store.waitingCount == 1)
        store.put("config/db", value: Array("new".utf8))
        s.channel.embeddedEventLoop.run()
        let w = try s.writes()
        #expect(w.count == 1)
        let a = Answer(w[0])
        #expect(a.headers["x-consul-index"] == "3")
        #expect(try entries(a)[0]["Value"] as? String == Data("new".utf8).base64EncodedString())
    }

    @Test func blockingQueryAnswersWhenTheWaitEnds() throws {
        let (s, store) = try service()
        try s.send("GET /v1/kv/config/db?index=1&wait=2s HTTP/1.1\r\nHost: c\r\n\r\n")
        s.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(try s.writes().isEmpty)
        s.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try s.writes().map { Answer($0).headers["x-consul-index"] } == ["1"])
        #expect(store.waitingCount == 0)
    }

    @Test func blockingQueryOnAnOlderIndexAnswersAtOnce() throws {
        let (s, _) = try service()
        #expect(try s.exchange("GET", "/v1/kv/config/mode?index=1&wait=5s").status == 200)
    }

    @Test func deletingAKeyWakesItsBlockingQuery() throws {
        let (s, store) = try service()
        try s.send("GET /v1/kv/config/db?index=1 HTTP/1.1\r\nHost: c\r\n\r\n")
        s.channel.embeddedEventLoop.run()
        store.delete(.key("config/db"))
        s.channel.embeddedEventLoop.run()
        let a = try s.writes().map(Answer.init)
        #expect(a.map(\.status) == [404])
        #expect(a.first?.headers["x-consul-index"] == "3")
    }

    @Test func otherPathsAre404() throws {
        let (s, _) = try service()
        #expect(try s.exchange("GET", "/v1/status/leader").status == 404)
        #expect(try s.exchange("POST", "/v1/kv/a").status == 405)
    }
}
