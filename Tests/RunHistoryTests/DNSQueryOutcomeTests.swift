import FaultlineCore
import Foundation
import RunHistory
import Testing

struct DNSQueryOutcomeTests {
    /// The strings history.jsonl has always carried in `rcode`.
    @Test(arguments: [
        (DNSQueryOutcome.answered(.noError), "NOERROR"), (.answered(.nxDomain), "NXDOMAIN"), (.answered(.servFail), "SERVFAIL"),
        (.answered(.other(11)), "RCODE11"), (.dropped, "dropped"), (.ignored, "ignored"),
    ])
    func outcomesAreWrittenAsTheHistorysStrings(outcome: DNSQueryOutcome, text: String) throws {
        #expect(outcome.description == text)
        #expect(DNSQueryOutcome(text) == outcome)
        #expect(String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self) == "\"\(text)\"")
        #expect(try JSONDecoder().decode(DNSQueryOutcome.self, from: Data("\"\(text)\"".utf8)) == outcome)
    }

    @Test func onlyAnAnsweredQueryHasAResponseCode() {
        #expect(DNSQueryOutcome.answered(.refused).responseCode == .refused)
        #expect(DNSQueryOutcome.dropped.responseCode == nil && DNSQueryOutcome.ignored.responseCode == nil)
    }

    @Test func unknownTextIsNotAnOutcome() {
        #expect(DNSQueryOutcome("timeout") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DNSQueryOutcome.self, from: Data("\"timeout\"".utf8)) }
    }
}
