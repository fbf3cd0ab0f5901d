import FaultlineCore
import Foundation
import Testing

struct ExitStatusTests {
    @Test(arguments: [(FaultlineCore.ExitStatus.exited(0), "exit 0"), (.exited(3), "exit 3"), (.signaled(15), "signal 15")])
    func encodesAsItsDescriptionAndDecodesBack(status: FaultlineCore.ExitStatus, text: String) throws {
        #expect(status.description == text)
        let data = try JSONEncoder().encode([status])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(text)\"]")
        #expect(try JSONDecoder().decode([FaultlineCore.ExitStatus].self, from: data) == [status])
    }

    @Test(arguments: ["exit", "exit x", "killed 9", "signal 9 extra"])
    func rejectsTextThatIsNoExitStatus(text: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([FaultlineCore.ExitStatus].self, from: Data("[\"\(text)\"]".utf8))
        }
    }
}
