// SemanticCache lookup latency: p50 and p99 of one lookup against 10,000 and 100,000 entries,
// float32 and int8 vectors of 384 components (all-MiniLM-L6-v2's), one lookup at a time.
//
// The query's embedding is given (`lookup(_:embedding:version:)`), so the figure is the
// cache's own work: the exact-text check, encoding the query, the exact scan over every
// entry and the actor hop; embedding the query is the encoder's figure, measured apart. The
// scan runs on one thread. Entries and queries are random unit vectors: the scan's cost does
// not depend on the values, and no query matches an entry, so every lookup scans everything
// (a hit costs the same, since the scan is exhaustive).
//
// A plain executable rather than a package-benchmark target, like MatmulComparison: every
// lookup is timed on its own so the percentiles are exact, and the four configurations are
// interleaved round by round, so a neighbour's burst on a shared machine spreads over all of
// them instead of landing on one.
//
// Run: swift run -c release SemanticCacheLookup   (from Benchmarks/; ROUNDS, LOOKUPS to change)
import Foundation
import SquireCore
import SquireRouting
import SquireTesting

let dimension = 384
let rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? 5
let lookupsPerRound = Int(ProcessInfo.processInfo.environment["LOOKUPS"] ?? "") ?? 400
let sizes = [10_000, 100_000]

/// `count` random unit vectors from `seed`.
func unitVectors(_ count: Int, seed: UInt64) -> [[Float]] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let vector = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
}

// Never called: every lookup is given its embedding.
let embedder = ScriptedEmbedder(dimension: dimension) { _ in throw ModelError.unavailable("not used") }
let entries = unitVectors(sizes.max()!, seed: 1)
let queries = unitVectors(rounds * lookupsPerRound, seed: 2)

var configurations: [(name: String, cache: SemanticCache<Int>)] = []
for size in sizes {
    for precision in SemanticCachePrecision.allCases {
        let cache = try SemanticCache<Int>(embedder: embedder, threshold: 0.99, capacity: size, precision: precision)
        for index in 0..<size {
            try await cache.insert(index, for: "entry \(index)", version: "v1", embedding: entries[index])
        }
        configurations.append(("\(size.formatted()) entries, \(precision)", cache))
    }
}

let clock = ContinuousClock()
var times = Array(repeating: [Double](), count: configurations.count)
for round in 0..<rounds {
    for (index, configuration) in configurations.enumerated() {
        // A few untimed lookups first, so each block starts with the storage in cache as far as it fits.
        for query in queries.prefix(5) {
            _ = try await configuration.cache.lookup("warm-up", embedding: query, version: "v1")
        }
        for offset in 0..<lookupsPerRound {
            let query = round * lookupsPerRound + offset
            let start = clock.now
            let lookup = try await configuration.cache.lookup(
                "query \(query)", embedding: queries[query], version: "v1")
            times[index].append(seconds(clock.now - start))
            precondition(lookup.outcome == .miss)
        }
    }
}

print("| entries, vectors | lookups | p50 (ms) | p99 (ms) | mean (ms) | max (ms) |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for (index, configuration) in configurations.enumerated() {
    let sorted = times[index].sorted()
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    let row = [0.5, 0.99].map { String(format: "%.3f", percentile(sorted, $0) * 1000) }
    print(
        "| \(configuration.name) | \(sorted.count) | \(row[0]) | \(row[1]) | "
            + "\(String(format: "%.3f", mean * 1000)) | \(String(format: "%.3f", sorted.last! * 1000)) |")
}
