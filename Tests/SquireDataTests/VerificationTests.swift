import Foundation
import SquireCore
import SquireData
import SquireEval
import SquireTesting
import Testing

/// Each verification check catches the failure it is named for, on data a misbehaving
/// generator wrote: duplicates, leaked evaluation texts, wrong labels, personal data.
@Suite struct VerificationTests {
    /// Vectors from a table, so "near duplicate" is decided by the script, not a model:
    /// refund texts point one way ("please" tilts them by cosine 0.990), every other text
    /// in the table has its own direction, and the rest share the last one.
    static let embedder = ScriptedEmbedder(dimension: 8) { text in
        var vector = [Float](repeating: 0, count: 8)
        let lowered = text.lowercased()
        if lowered.contains("refund") {
            vector[0] = lowered.contains("please") ? 0.99 : 1
            vector[1] = lowered.contains("please") ? 0.141 : 0
            return vector
        }
        let table = [
            "my card is gone": 2, "where is my parcel": 3, "write to me at [EMAIL] about my card": 4, "card gone": 6,
        ]
        vector[table[text] ?? 7] = 1
        return vector
    }

    static func dataset(_ rows: [(String, String)]) throws -> Dataset {
        try Dataset(
            name: "synthetic",
            examples: rows.enumerated().map {
                LabeledExample(id: "s\($0.offset + 1)", text: $0.element.0, label: $0.element.1)
            })
    }

    @Test func aMisbehavingGeneratorsOutputIsCaughtCheckByCheck() async throws {
        // What a generator that repeats itself, leaks the test set, mislabels and copies PII wrote.
        let synthetic = try Self.dataset([
            ("I want a refund", "refund"),
            ("i want a REFUND!", "refund"),  // exact duplicate after normalization
            ("I want a refund", "card_lost"),  // the same text under another label
            ("refund please", "refund"),  // near duplicate of s1 (cosine 0.99)
            ("my card is gone", "card_lost"),
            ("where is my parcel", "card_lost"),  // wrong label
            ("write to me at jo@example.com about my card", "card_lost"),  // PII
            ("ok", "card_lost"),  // too short
            ("мою карту украли", "card_lost"),  // another script
            ("someone stole my card yesterday", "card_lost"),  // leaked from the test set
        ])
        let test = try Dataset(
            name: "test",
            examples: [LabeledExample(id: "e9", text: "Someone stole my card, yesterday.", label: "card_lost")])
        let verifier = ScriptedClassifier(labels: ["refund", "card_lost", "delivery"]) { text in
            Classification(
                label: text.contains("parcel") ? "delivery" : (text.contains("refund") ? "refund" : "card_lost"),
                confidence: 0.9)
        }
        let verification = Verification(
            steps: VerificationStep.standard(evaluation: test, verifier: verifier, embeddings: true) + [
                .classBalance(maximumPerLabel: 2)
            ],
            embedder: Self.embedder, batchSize: 4)
        let verified = try await verification.run(on: synthetic)

        func report(_ prefix: String) throws -> FilterReport {
            try #require(verified.filters.first { $0.name.hasPrefix(prefix) })
        }
        #expect(try report("length").removed == 1)
        #expect(try report("Latin").removed == 1)
        #expect(try report("personal").modified == 1)
        let exact = try report("exact")
        // s1, s2 and s3 share a text under two labels: all three are in doubt.
        #expect(exact.removed == 3)
        #expect(exact.sentToReview == 3)
        #expect(exact.reasons == ["same text, conflicting labels": 3])
        #expect(try report("near").removed == 0)  // s4's twin s1 went to review before it
        #expect(try report("leakage").removed == 1)
        let agreement = try report("label agreement")
        #expect(agreement.removed == 1)
        #expect(agreement.sentToReview == 1)
        #expect(verified.review.contains { $0.example.id == "s6" && $0.suggestedLabel == "delivery" })
        #expect(verified.review.contains { $0.example.id == "s3" })

        let kept = verified.dataset.examples
        #expect(!kept.contains { $0.text.contains("jo@example.com") })
        #expect(kept.contains { $0.text == "write to me at [EMAIL] about my card" && $0.tags.contains("pii-masked") })
        #expect(Set(kept.map(\.label)) == ["refund", "card_lost"])
        #expect(kept.map(\.id) == ["s4", "s5", "s7"])
        #expect(try report("class balance").removed == 0)
        #expect(verified.removed.count == synthetic.count - kept.count)
        #expect(verified.labelCountsBefore == ["refund": 3, "card_lost": 7])
    }

    @Test func nearDuplicatesGoByCosineAndConflictingOnesToReview() async throws {
        let data = try Self.dataset([
            ("I want a refund", "refund"), ("refund please", "refund"), ("Refund please now", "card_lost"),
            ("card gone", "card_lost"),
        ])
        let verified = try await Verification(steps: [.nearDuplicates(threshold: 0.95)], embedder: Self.embedder).run(
            on: data)
        #expect(verified.dataset.examples.map(\.id) == ["s1", "s4"])
        #expect(
            verified.filters[0].reasons == ["near-duplicate, same label": 1, "near-duplicate, conflicting label": 1])
        #expect(verified.review.map(\.example.id) == ["s3"])
        #expect(verified.review[0].suggestedLabel == "refund")
        #expect(verified.removed.first { $0.example.id == "s2" }?.reason.contains("cosine 0.990 with s1") == true)

        // At 0.999, s2 (0.990 from s1) stays, and s3, s2's exact twin in embedding space, does not.
        let stricter = try await Verification(steps: [.nearDuplicates(threshold: 0.999)], embedder: Self.embedder).run(
            on: data)
        #expect(stricter.dataset.examples.map(\.id) == ["s1", "s2", "s4"])

        let balanced = try await Verification(steps: [.classBalance(maximumPerLabel: 1)]).run(on: data)
        #expect(balanced.dataset.examples.map(\.id) == ["s1", "s3"])
        #expect(balanced.filters[0].reasons == ["over the per-label maximum": 2])
    }

    /// One garbage answer from the second teacher aborted the whole verification. Now that
    /// text goes to review with the reason and the others are still checked; an outage still
    /// ends the run.
    @Test func anUnusableVerifierAnswerGoesToReviewAndTheRunGoesOn() async throws {
        let data = try Self.dataset([
            ("I want a refund", "refund"), ("where is my refund", "refund"), ("card gone", "card_lost"),
            ("lost my card", "refund"),
        ])
        let verifier = ScriptedClassifier(labels: ["refund", "card_lost"]) { text in
            if text == "where is my refund" { throw ModelError.invalidResponse("expected one label, got \"banana\"") }
            return Classification(label: text.contains("card") ? "card_lost" : "refund", confidence: 1)
        }
        let verified = try await Verification(steps: [.labelAgreement(verifier: verifier)], batchSize: 4).run(on: data)
        #expect(verified.dataset.examples.map(\.id) == ["s1", "s3"])
        #expect(verified.review.map(\.example.id) == ["s2", "s4"])
        #expect(verified.review[0].reason.contains("could not be used") && verified.review[0].reason.contains("banana"))
        #expect(verified.review[1].suggestedLabel == "card_lost")
        let down = Failing(verifier, error: ModelError.unavailable("down"))
        await #expect(throws: ModelError.unavailable("down")) {
            try await Verification(steps: [.labelAgreement(verifier: down)]).run(on: data)
        }
    }

    @Test func checksThatCannotRunSayWhyBeforeDoingAnything() async throws {
        let data = try Self.dataset([("refund", "refund")])
        await #expect(throws: DataError.self) { try await Verification(steps: [.nearDuplicates()]).run(on: data) }
        let narrow = ScriptedClassifier(labels: ["other"]) { _ in Classification(label: "other", confidence: 1) }
        await #expect(throws: DataError.self) {
            try await Verification(steps: [.labelAgreement(verifier: narrow)]).run(on: data)
        }
        let broken = Failing(Self.embedder, error: ModelError.unavailable("down"))
        await #expect(throws: ModelError.unavailable("down")) {
            try await Verification(steps: [.nearDuplicates()], embedder: broken).run(on: data)
        }
    }

    @Test func theEnglishCheckRemovesOtherLanguagesAndKeepsShorthand() async throws {
        let data = try Self.dataset([
            ("Quiero que me devuelvan el dinero de mi pedido", "refund"),
            ("Je voudrais annuler ma commande, s'il vous plaît", "refund"),
            ("Ich habe meine Karte verloren und brauche eine neue", "card_lost"),
            ("Vorrei sapere dove è la mia carta", "card_lost"),
            ("I want a refund for the shoes", "refund"),
            ("card declined again", "card_lost"),
            ("u wan me 2 go look 4 it", "card_lost"),
            ("add Lo Que Suena Los Angeles to my road trip playlist", "other"),
        ])
        let verified = try await Verification(steps: [.english]).run(on: data)
        // s8 is the known limit: an English request around a Spanish title (SNIPS has 10 such in 13,784).
        #expect(verified.dataset.examples.map(\.id) == ["s5", "s6", "s7"])
        #expect(
            verified.removed.map(\.reason) == [
                "looks Spanish: quiero, que, el, de, mi", "looks French: je, voudrais, ma, vous",
                "looks German: ich, habe, meine, und, eine",
                "looks Italian: vorrei, dove, mia", "looks Spanish: lo, que, los",
            ])
    }

    @Test func diversityTellsTemplatedLabelsFromVariedOnes() async throws {
        let data = try Self.dataset(
            (1...6).map { ("please refund order \($0) now", "refund") }
                + [
                    "my card was stolen", "card lost at the station", "cannot find my debit card",
                    "lost wallet with cards", "card missing since monday", "where did my card go",
                ].map { ($0, "card_lost") })
        let verified = try await Verification(steps: [], embedder: Self.embedder).run(on: data)
        let refund = try #require(verified.diversity["refund"])
        let card = try #require(verified.diversity["card_lost"])
        #expect(refund.distinctBigrams < card.distinctBigrams)
        // Six identical refund vectors: mean cosine 1, distance 0.
        #expect(abs(try #require(refund.meanEmbeddingDistance)) < 1e-6)
        let sheet = Datasheet(title: "t", source: "s", method: ["m"], verified: verified)
        #expect(sheet.markdown.contains("| refund | 6 | 50.0% | 6 |"))
    }
}
