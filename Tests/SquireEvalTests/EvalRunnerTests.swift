import Foundation
import SquireCore
import SquireEval
import Testing

/// Counts calls in flight to check the runner's concurrency bound.
actor InFlight {
    private(set) var current = 0
    private(set) var peak = 0
    private(set) var started = 0
    func enter() {
        current += 1
        started += 1
        peak = max(peak, current)
    }
    func leave() { current -= 1 }
}

struct CountingClassifier: TextClassifier {
    let labels = ["even", "odd"]
    let inFlight: InFlight
    var returnsWrongCount = false
    var answersNaN = false
    /// Long enough that calls overlap even when the machine is busy.
    var delay: Duration = .milliseconds(40)

    func classify(_ texts: [String]) async throws -> [Classification] {
        await inFlight.enter()
        do { try await Task.sleep(for: delay) } catch {
            await inFlight.leave()
            throw error
        }
        await inFlight.leave()
        if returnsWrongCount { return [] }
        return texts.map {
            Classification(
                label: (Int($0) ?? 0) % 2 == 0 ? "even" : "odd", confidence: answersNaN ? .nan : 0.9,
                usage: Usage(calls: 1, cost: Cost(dollars: 0.001)))
        }
    }
}

@Suite struct EvalRunnerTests {
    func numbers(_ count: Int) throws -> Dataset {
        try Dataset(
            name: "n",
            examples: (0..<count).map {
                LabeledExample(id: "\($0)", text: "\($0)", label: $0 % 3 == 0 ? "odd" : ($0 % 2 == 0 ? "even" : "odd"))
            })
    }

    @Test func keepsOrderBatchesAndBoundsConcurrency() async throws {
        let inFlight = InFlight()
        let data = try numbers(50)
        let runner = EvalRunner(batchSize: 4, maximumConcurrency: 3)
        let run = try await runner.run(CountingClassifier(inFlight: inFlight), on: data)
        #expect(run.predictions.map(\.id) == data.examples.map(\.id))
        #expect(run.predictions.allSatisfy { $0.predicted == (Int($0.id)! % 2 == 0 ? "even" : "odd") })
        #expect(run.callLatencies.count == 13)
        #expect(run.callLatencies.allSatisfy { $0 >= 0.039 })
        let peak = await inFlight.peak
        #expect(peak <= 3)
        #expect(peak >= 2)
        let report = EvalReport(
            model: "counting", dataset: data.name, predictions: run.predictions, callLatencies: run.callLatencies)
        #expect(report.cost.total.calls == 50)
        #expect(abs(report.cost.dollarsPer1000Requests - 1) < 1e-9)
        #expect(report.latency.calls == 13)
    }

    @Test func recordsFailuresWithoutStopping() async throws {
        let data = try Dataset(
            name: "d", examples: ["a", "b", "boom", "c"].map { LabeledExample(id: $0, text: $0, label: "x") })
        let model = ScriptedClassifier(labels: ["x", "y"], answers: [:], failOn: ["boom"])
        let run = try await EvalRunner(batchSize: 1).run(model, on: data)
        #expect(run.predictions.map { $0.failure != nil } == [false, false, true, false])
        #expect(run.predictions[2].failure == "scripted failure")
        let metrics = ClassificationMetrics(predictions: run.predictions)
        #expect(metrics.failures == 1)
        #expect(metrics.count == 4)
        #expect(metrics.accuracy == 1)  // over the three answers
        // A failing call takes its whole batch with it.
        let batched = try await EvalRunner(batchSize: 2).run(model, on: data)
        #expect(batched.predictions.map { $0.failure != nil } == [false, false, true, true])
    }

    @Test func protocolBreachesAreFailures() async throws {
        let data = try numbers(6)
        let wrongCount = try await EvalRunner(batchSize: 3).run(
            CountingClassifier(inFlight: InFlight(), returnsWrongCount: true), on: data)
        #expect(wrongCount.predictions.allSatisfy { $0.failure?.contains("returned 0 results for 3 inputs") == true })
        let nan = try await EvalRunner(batchSize: 3).run(
            CountingClassifier(inFlight: InFlight(), answersNaN: true), on: data)
        #expect(nan.predictions.allSatisfy { $0.failure?.contains("non-finite") == true })
    }

    @Test func reportsProgressAndHandlesEmptyDatasets() async throws {
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int] = []
        }
        let seen = Seen()
        _ = try await EvalRunner(batchSize: 5, maximumConcurrency: 1).run(
            CountingClassifier(inFlight: InFlight()), on: try numbers(12)
        ) { done, total in
            #expect(total == 12)
            seen.lock.withLock { seen.values.append(done) }
        }
        #expect(seen.values == [5, 10, 12])
        let empty = try await EvalRunner().run(CountingClassifier(inFlight: InFlight()), on: try numbers(0))
        #expect(empty.predictions.isEmpty)
    }

    @Test func cancellationStopsTheRun() async throws {
        let data = try Dataset(
            name: "d", examples: (0..<200).map { LabeledExample(id: "\($0)", text: "\($0)", label: "x") })
        let inFlight = InFlight()
        let model = CountingClassifier(inFlight: inFlight, delay: .milliseconds(20))
        let task = Task { try await EvalRunner(batchSize: 1, maximumConcurrency: 2).run(model, on: data) }
        try await Task.sleep(for: .milliseconds(60))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // 200 calls of 20 ms two at a time take at least 2 s; the cancelled run stopped issuing them.
        #expect(await inFlight.started < 200)
    }
}
