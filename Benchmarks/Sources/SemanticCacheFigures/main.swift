// The semantic cache on labelled pairs: the threshold calibrated for at most 1% false hits on
// PAWS-Wiki's calibration half, then hit and false-hit rates on its report half and on STS-B
// test, beside exact-text matching, for float32 and int8 vectors; and for comparison a second
// threshold calibrated the same way on STS-B dev.
//
// Reads WORK/pairs.jsonl and WORK/embeddings.jsonl, which Scripts/figures/semantic-cache-validation.sh
// writes first (the pairs by Scripts/figures/semantic-cache-validation.py, the embeddings by
// `squire embed` with all-MiniLM-L6-v2); prints a Markdown table and writes WORK/figures.json.
//
// Each pair is a stored request (text1) and a new one (text2). The similarities come from
// `SemanticCachePrecision.similarity(between:and:)`, the numbers the cache's scan computes; every
// pair is then also put through a real `SemanticCache` (text1 stored, text2 looked up, its
// embedder answering from the same embeddings) and the run fails unless the cache answers
// exactly the pairs the figures count.
//
// Run: swift run -c release SemanticCacheFigures WORK   (from Benchmarks/)
import Foundation
import SquireEval
import SquireRouting
import SquireTesting

struct Pair: Decodable {
    var set: String
    var id: String
    var text1: String
    var text2: String
    var same: Bool
}

struct EmbeddedLine: Decodable {
    var text: String
    var embedding: [Float]
}

/// Exact-text matching: the cache's fast path alone.
struct ExactMatching: Encodable {
    var hits: Int
    var falseHits: Int
    var hitRate: Double
    var falseHitRate: Double

    enum CodingKeys: String, CodingKey {
        case hits
        case falseHits = "false_hits"
        case hitRate = "hit_rate"
        case falseHitRate = "false_hit_rate"
    }
}

struct SetFigures: Encodable {
    var set: String
    var cache: SemanticCacheEvaluation
    var exactMatching: ExactMatching

    enum CodingKeys: String, CodingKey {
        case set, cache
        case exactMatching = "exact_matching"
    }
}

struct CalibrationFigures: Encodable {
    var precision: SemanticCachePrecision
    var calibratedOn: String
    var calibration: SemanticCacheCalibration
    var sets: [SetFigures]

    enum CodingKeys: String, CodingKey {
        case precision, calibration, sets
        case calibratedOn = "calibrated_on"
    }
}

let work = CommandLine.arguments.dropFirst().first ?? "../.build-semantic-cache-validation"
let targetFalseHitRate = 0.01
let pairs = try JSONLines.read(Pair.self, from: "\(work)/pairs.jsonl", expecting: "a labelled pair").map(\.value)
let vectors = Dictionary(
    try JSONLines.read(EmbeddedLine.self, from: "\(work)/embeddings.jsonl", expecting: "a {text, embedding} line")
        .map { ($0.value.text, $0.value.embedding) },
    uniquingKeysWith: { first, _ in first })
// The issue's threshold comes from PAWS's calibration half; STS-B dev's, on ordinary
// paraphrases, shows how much the answer depends on how hard the pairs are.
let calibrationSets = ["paws-calibration", "stsb-dev"]
let evaluationSets = ["paws-calibration", "paws-report", "stsb-dev", "stsb-test"]
let dimension = vectors.first!.value.count
// The cache's embedder answers from the embeddings `squire embed` wrote.
let embedder = ScriptedEmbedder(dimension: dimension) { [vectors] text in vectors[text]! }

func subset(_ name: String) -> [Int] { pairs.indices.filter { pairs[$0].set == name } }

func percent(_ count: Int, of total: Int) -> String {
    String(format: "%.2f%% (%d)", 100 * Double(count) / Double(total), count)
}

var report: [CalibrationFigures] = []
print(
    "| vectors | calibrated on | threshold | pairs | same / different | cache: same answered | cache: false hits "
        + "| exact match: same answered | exact match: false hits |")
print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for precision in SemanticCachePrecision.allCases {
    let similarities = try pairs.map { pair in
        try precision.similarity(between: vectors[pair.text2]!, and: vectors[pair.text1]!)
    }
    for calibrationSet in calibrationSets {
        let calibrationPairs = subset(calibrationSet)
        let calibration = try SemanticCacheCalibration(
            similarities: calibrationPairs.map { similarities[$0] }, same: calibrationPairs.map { pairs[$0].same },
            targetFalseHitRate: targetFalseHitRate)
        // The same decisions from a real cache, exact-text path included.
        let cache = try SemanticCache<String>(
            embedder: embedder, threshold: calibration.threshold, capacity: 1, precision: precision)
        var sets: [SetFigures] = []
        for name in evaluationSets {
            let indices = subset(name)
            let same = indices.map { pairs[$0].same }
            let identical = indices.map { pairs[$0].text1 == pairs[$0].text2 }
            let evaluation = try SemanticCacheEvaluation(
                similarities: indices.map { similarities[$0] }, same: same, threshold: calibration.threshold)
            var disagreements = 0
            for (position, index) in indices.enumerated() {
                let pair = pairs[index]
                await cache.removeAll()
                try await cache.insert(pair.id, for: pair.text1, version: "")
                let lookup = try await cache.lookup(pair.text2, version: "")
                let counted = identical[position] || similarities[index] >= calibration.threshold
                if lookup.isHit != counted { disagreements += 1 }
            }
            guard disagreements == 0 else {
                fatalError("\(precision) \(name): the cache and the figures disagree on \(disagreements) pairs")
            }
            let samePairs = same.filter { $0 }.count
            let differentPairs = same.count - samePairs
            let exactHits = zip(same, identical).filter { $0 && $1 }.count
            let exactFalseHits = zip(same, identical).filter { !$0 && $1 }.count
            let exact = ExactMatching(
                hits: exactHits, falseHits: exactFalseHits, hitRate: Double(exactHits) / Double(samePairs),
                falseHitRate: Double(exactFalseHits) / Double(differentPairs))
            sets.append(SetFigures(set: name, cache: evaluation, exactMatching: exact))
            print(
                "| \(precision) | \(calibrationSet) | \(calibration.threshold) | \(name)\(name == calibrationSet ? " (calibrated on)" : "") "
                    + "| \(samePairs) / \(differentPairs) | \(percent(evaluation.hits, of: samePairs)) "
                    + "| \(percent(evaluation.falseHits, of: differentPairs)) | \(percent(exactHits, of: samePairs)) "
                    + "| \(percent(exactFalseHits, of: differentPairs)) |")
        }
        report.append(
            CalibrationFigures(precision: precision, calibratedOn: calibrationSet, calibration: calibration, sets: sets)
        )
    }
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try encoder.encode(report).write(to: URL(fileURLWithPath: "\(work)/figures.json"))
print(
    "\nEach threshold calibrated for at most \(targetFalseHitRate * 100)% false hits on its set; "
        + "written to \(work)/figures.json")
