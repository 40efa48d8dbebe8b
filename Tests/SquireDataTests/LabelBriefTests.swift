import SquireData
import SquireEval
import Testing

@Suite struct LabelBriefTests {
    /// One brief per label, in label order, with that label's seeds in file order and its description.
    @Test func briefsGroupSeedsByLabel() throws {
        let seeds = try Dataset(
            name: "seeds",
            examples: [
                LabeledExample(id: "1", text: "refund me", label: "refund"),
                LabeledExample(id: "2", text: "lost card", label: "card"),
                LabeledExample(id: "3", text: "money back", label: "refund"),
            ])
        let briefs = LabelBrief.briefs(for: seeds, descriptions: ["card": "card problems"])
        #expect(briefs.map(\.label) == ["card", "refund"])
        #expect(briefs.map(\.seeds) == [["lost card"], ["refund me", "money back"]])
        #expect(briefs.map(\.description) == ["card problems", ""])
    }
}
