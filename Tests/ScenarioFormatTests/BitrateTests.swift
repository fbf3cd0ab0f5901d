import FaultlineCore
@testable import ScenarioFormat
import Testing

struct BitrateTests {
    @Test(arguments: [
        ("2mbit", UInt64(2_000_000)), ("512kbit", 512_000), ("1gbit", 1_000_000_000), ("100kbps", 800_000),
        ("1.5mbit", 1_500_000), ("64bit", 64), (" 10 Mbit ", 10_000_000),
    ])
    func parsesTcUnits(text: String, bits: UInt64) {
        #expect(Bitrate(parsing: text)?.bitsPerSecond == bits)
    }

    @Test(arguments: ["2", "mbit", "-1mbit", "2 mbits", "fast"])
    func rejectsWhatIsNotARate(text: String) {
        #expect(Bitrate(parsing: text) == nil)
    }

    @Test func rendersTheShortestExactForm() {
        #expect(Bitrate(bitsPerSecond: 2_000_000).description == "2mbit")
        #expect(Bitrate(bitsPerSecond: 1_500_000).description == "1500kbit")
        #expect(Bitrate(bitsPerSecond: 1234).description == "1234bit")
    }
}
