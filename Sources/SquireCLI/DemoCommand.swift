import ArgumentParser
import Foundation
import Squire

/// `squire demo`: the whole loop on a routing dataset — train, evaluate, gate, quantize,
/// calibrate a cascade, simulate drift — with the reports written to one folder.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk the whole loop on a routing dataset: train, evaluate, gate, quantize, cascade, drift.",
        discussion: """
            Without --data it runs on the routing dataset that ships with Squire (270 requests an agent receives, over six routes, and 40 requests outside every route); with --data on a labelled file (split 60/20/20 here) or a folder holding train.jsonl and test.jsonl (such as ../shared/data/banking77). Trains a router with the default recipe (a logistic head on frozen all-MiniLM-L6-v2 embeddings, the same with the labels' names, or the few-shot recipe that tunes the encoder body, whichever does best on the validation split), evaluates it, gates it against a keyword-rules baseline, quantizes it to int8 and int4 and compares, calibrates the confidence threshold of a cascade that sends unsure requests to a frontier model, distils a static model from the encoder (15–30 s) and calibrates three tiers — a head on the static model, the encoder's head, the frontier — for the same accuracy, and streams in-distribution then shifted traffic through a drift monitor. Writes the bundle, the JSON and HTML reports, the gate result, the drift profile and a summary to --output. Exit 0 when every step ran.

            Examples:
              squire demo
              squire demo --data ../shared/data/banking77 --output banking-demo
            """)

    @Option(
        name: .long,
        help: "A labelled file, or a folder with train.jsonl and test.jsonl (default: the built-in routing dataset).")
    var data: String?
    @Option(name: .long, help: "Where to write the reports.")
    var output = "squire-demo"
    @OptionGroup var encoder: ModelOptions
    @Option(name: .long, help: "Seed for the splits.")
    var seed: UInt64 = 0
    @OptionGroup var force: ForceOption

    func run() async throws {
        let destination = try OutputDestination(
            output, kind: .demoFolder, inputs: [data, encoder.folder].compactMap { $0 }, force: force.force)
        try await destination.writeAsynchronously { try await demonstrate() }
    }

    /// Every step of the demo, writing into `--output`.
    private func demonstrate() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let status = StatusLine()
        let (train, validation, test, outOfScope, source) = try loadData()
        print(
            "data: \(source) — \(train.count) training, \(validation.count) validation, \(test.count) test examples, \(train.labels.count) labels"
        )

        // 1. Train with the default recipe, which compares the recipes that suit the data on the validation split.
        let bundlePath = folder.appendingPathComponent("model").path
        let trained = try ClassifierTraining.automatic(
            on: train,
            options: TrainingOptions(
                base: encoder.folder, validation: validation, seed: seed, bundleFolder: bundlePath, name: "demo-router",
                intendedUse: "Routes an agent's incoming requests to a tool (squire demo).",
                trainingDataDescription: source, validationDescription: "the validation split"),
            progress: TrainCommand.report(to: status, data: "the training set", validation: "the validation set"))
        guard let outcome = trained.report.headSelection, let classifier = trained.embeddingClassifier
        else { throw ValidationError("the default recipe returned no head on an embedder") }
        let embedder = classifier.embedder
        let compared = (trained.report.choice?.alternatives ?? []).map { "\($0.recipe) \(percent($0.accuracy))" }
        print(
            "1 train     \(trained.report.recipe ?? "logistic") (on the validation split: \(compared.joined(separator: ", "))), \(outcome.chosen), ECE \(String(format: "%.3f", trained.report.eceBeforeCalibration)) → \(String(format: "%.3f", trained.report.eceAfterCalibration)) after calibration"
        )

        // 2. Evaluate on the test split.
        let runner = EvalRunner(batchSize: 32, maximumConcurrency: 1)
        let report = try await EvalReport.evaluate(classifier, named: "demo-router", on: test, runner: runner)
        try report.write(to: folder.appendingPathComponent("report.json"))
        let metrics = report.metrics
        print(
            "2 evaluate  test accuracy \(percent(metrics.accuracy)), macro-F1 \(String(format: "%.3f", metrics.macro.f1)), ECE \(String(format: "%.3f", metrics.expectedCalibrationError))"
        )

        // 3. Gate against the keyword rules it replaces.
        let baseline = KeywordBaseline(texts: train.examples.map(\.text), labels: train.examples.map(\.label))
        let baselineReport = try await EvalReport.evaluate(baseline, named: "keyword rules", on: test, runner: runner)
        let gate = Gate(
            name: "ship", minimums: [.accuracy: 0.8],
            nonInferiority: Gate.NonInferiority(metric: .macroF1, margin: 0.02, seed: seed), maximumFailureRate: 0)
        let verdict = gate.evaluate(report, baseline: baselineReport)
        let encoderJSON = JSONEncoder()
        encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(
            Array(try encoderJSON.encode(verdict)), to: folder.appendingPathComponent("gate.json").path)
        try AtomicFile.write(
            Array(report.html(gate: verdict).utf8), to: folder.appendingPathComponent("report.html").path)
        print(
            "3 gate      \(verdict.shipped ? "SHIP" : "DO NOT SHIP"): accuracy \(percent(metrics.accuracy)) against keyword rules \(percent(baselineReport.metrics.accuracy)); \(verdict.checks.filter(\.passed).count)/\(verdict.checks.count) checks pass"
        )

        // 4. Quantize and compare.
        let floatLabels = report.predictions.map { $0.classification?.label }
        print("4 quantize  weights  projections  test accuracy  agrees with float  p50 per batch of 32")
        print(
            "            float32  \(megabytes(projectionBytes(of: classifier)))     \(percent(metrics.accuracy).padding(toLength: 15, withPad: " ", startingAt: 0))100.0%             \(milliseconds(report.latency.p50))"
        )
        for format in [QuantizationFormat.int8, .int4(groupSize: 32)] {
            let quantized = try classifier.quantized(format)
            let quantizedReport = try await EvalReport.evaluate(
                quantized, named: "demo-router \(format.tag)", on: test, runner: runner)
            try quantizedReport.write(to: folder.appendingPathComponent("report-\(format.tag).json"))
            let same = zip(quantizedReport.predictions, floatLabels).filter { $0.classification?.label == $1 }.count
            let agreement = percent(Double(same) / Double(max(1, test.count))).padding(
                toLength: 19, withPad: " ", startingAt: 0)
            print(
                "            \(format.tag.padding(toLength: 7, withPad: " ", startingAt: 0))  \(megabytes(projectionBytes(of: quantized)))     \(percent(quantizedReport.metrics.accuracy).padding(toLength: 15, withPad: " ", startingAt: 0))\(agreement)\(milliseconds(quantizedReport.latency.p50))"
            )
        }

        // 5. The cascade's threshold: unsure requests go to the frontier model.
        let answered = report.predictions.compactMap { prediction in
            prediction.classification.map { (prediction.expected, $0) }
        }
        let calibrationCurve = try ThresholdCalibration(
            localLabels: answered.map(\.1.label), localConfidences: answered.map(\.1.confidence),
            correctLabels: answered.map(\.0),
            target: .accuracy(min(0.99, metrics.accuracy + 0.5 * (1 - metrics.accuracy))), fallbackDollarsPer1000: 2)
        if let chosen = calibrationCurve.chosen {
            print(
                "5 cascade   threshold \(String(format: "%.3f", chosen.threshold)): \(percent(chosen.escalationRate)) of requests go to the frontier model, accuracy \(percent(metrics.accuracy)) → \(percent(chosen.accuracy)), $\(String(format: "%.2f", chosen.dollarsPer1000Requests)) per 1,000 requests instead of $2.00 (frontier at $2 per 1,000 assumed right)"
            )
        } else {
            print("5 cascade   no threshold reaches the target on this test set")
        }
        try await staticTier(
            from: embedder, in: folder, encoderReport: report, target: calibrationCurve,
            data: (train, validation, test),
            source: source,
            status: status, runner: runner)

        // 6. Drift: a profile from validation, then normal and shifted traffic.
        let windowSize = max(20, min(200, validation.count / 2))
        let validationFeatures = try status.embeddings(
            of: validation.examples.map(\.text), with: embedder, phase: "embedding the validation set")
        let validationAnswers = try classifier.classifications(forEmbeddings: validationFeatures)
        let reference = try zip(validation.examples, validationAnswers).enumerated().map { index, pair in
            Observation(
                id: pair.0.id, text: pair.0.text, label: pair.1.label, confidence: pair.1.confidence,
                modelVersion: "demo-1",
                trueLabel: pair.0.label, embedding: try row(index, of: validationFeatures))
        }
        let profile = try ReferenceProfile(
            observations: reference, labels: train.labels, modelVersion: "demo-1", windowSize: windowSize, seed: seed)
        try profile.write(to: folder.appendingPathComponent("profile.json"))
        var monitor = try DriftMonitor(profile: profile)
        // Test files are often sorted by label; traffic is not, so both phases are shuffled.
        var generator = SplitMix64(seed: seed)
        let normal = test.examples.map(\.text).shuffled(using: &generator).prefix(windowSize * 3)
        let skewedLabels = Set(train.labels.prefix(max(2, train.labels.count / 3)))
        let pool = outOfScope + test.examples.filter { skewedLabels.contains($0.label) }.map(\.text)
        let shifted = (0..<(windowSize * 3)).map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
        let stream: [(phase: String, text: String)] =
            normal.map { ("in-distribution", $0) } + shifted.map { ("shifted", $0) }
        let streamFeatures = try status.embeddings(
            of: stream.map(\.text), with: embedder, phase: "embedding the simulated traffic")
        let streamAnswers = try classifier.classifications(forEmbeddings: streamFeatures)
        print(
            "6 drift     windows of \(windowSize): the test split shuffled, then traffic drawn from \(outOfScope.isEmpty ? "" : "out-of-scope requests and ")\(skewedLabels.count) of the \(train.labels.count) labels only"
        )
        var decisions: [(String, DriftDecision)] = []
        for (index, (item, answer)) in zip(stream, streamAnswers).enumerated() {
            let observation = Observation(
                text: item.text, label: answer.label, confidence: answer.confidence, modelVersion: "demo-1",
                embedding: try row(index, of: streamFeatures))
            if let decision = try monitor.observe(observation) {
                decisions.append((item.phase, decision))
                let exceeded = decision.window.signals.filter(\.exceeded).map(\.name)
                print(
                    "            window \(decision.window.index + 1) (\(item.phase)): \(decision.action.rawValue.uppercased()), estimated accuracy \(percent(decision.window.estimatedAccuracy))\(exceeded.isEmpty ? "" : ", drifted: " + exceeded.joined(separator: ", "))"
                )
            }
        }
        try AtomicFile.write(
            Array(try encoderJSON.encode(decisions.map(\.1))), to: folder.appendingPathComponent("drift.json").path)

        let seconds = (clock.now - started).components.seconds
        print(
            """

            done in \(seconds) s. Written to \(output)/:
              model/         the bundle (squire predict --model \(output)/model --input …)
              model-static/  the head on static-model/, the static model distilled from the encoder
              report.html    the evaluation with the gate's verdict; report.json, report-int8.json, report-int4-32.json, report-static.json
              gate.json      the ship gate against the keyword rules
              profile.json   the drift reference profile; drift.json the decisions
            """)
    }

    /// Step 5's second half: a static model distilled from the encoder, a head on it, and the
    /// three tiers — static head, encoder head, frontier — calibrated for the same target.
    private func staticTier(
        from base: any LocalEmbedder, in folder: URL, encoderReport: EvalReport, target: ThresholdCalibration,
        data: (Dataset, Dataset, Dataset),
        source: String, status: StatusLine, runner: EvalRunner
    ) async throws {
        let (train, validation, test) = data
        let clock = ContinuousClock()
        let started = clock.now
        let staticFolder = folder.appendingPathComponent("static-model").path
        let distilled = try StaticDistillation(dimensions: 256).distill(
            from: base as? SentenceEmbedder ?? SentenceEmbedder(folder: encoder.folder)
        ) { status.update("distilling a static model from the encoder", done: $0, total: $1) }
        try distilled.save(to: staticFolder, baseModel: URL(fileURLWithPath: encoder.folder).lastPathComponent)
        status.finish("distilled a static model: \(distilled.tokenizer.vocabularySize) tokens × 256")
        let seconds = (clock.now - started).components.seconds
        let trained = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic), on: train,
            options: TrainingOptions(
                base: staticFolder, validation: validation, seed: seed,
                bundleFolder: folder.appendingPathComponent("model-static").path, name: "demo-router-static",
                intendedUse: "The microsecond first tier of an agent's request router (squire demo).",
                trainingDataDescription: source, validationDescription: "the validation split"),
            progress: TrainCommand.report(to: status, data: "the training set", validation: "the validation set"))
        guard let classifier = trained.embeddingClassifier else {
            throw ValidationError("the frozen-head recipe returned no head on the static model")
        }
        let report = try await EvalReport.evaluate(classifier, named: "demo-router static", on: test, runner: runner)
        try report.write(to: folder.appendingPathComponent("report-static.json"))
        print(
            "            a static model distilled from the encoder in \(seconds) s, a logistic head on it: test accuracy \(percent(report.metrics.accuracy)), \(milliseconds(report.latency.p50)) per batch of 32 against the encoder's \(milliseconds(encoderReport.latency.p50))"
        )
        // Both tiers' answers to the same requests, in the test split's order.
        let pairs = zip(report.predictions, encoderReport.predictions).compactMap { fast, slow in
            fast.classification.flatMap { a in slow.classification.map { (fast.expected, a, $0) } }
        }
        let tiers = try TierCalibration(
            tiers: [
                TierCalibration.Tier(labels: pairs.map(\.1.label), confidences: pairs.map(\.1.confidence)),
                TierCalibration.Tier(labels: pairs.map(\.2.label), confidences: pairs.map(\.2.confidence)),
            ], correctLabels: pairs.map(\.0), target: .accuracy(target.chosen?.accuracy ?? 1),
            fallbackDollarsPer1000: 2)
        guard let chosen = tiers.chosen else {
            print("            three tiers: no thresholds reach the target on this test set")
            return
        }
        for (name, tier) in zip(["static head ", "encoder head"], chosen.tiers) {
            print(
                "            \(name)  threshold \(String(format: "%.3f", tier.threshold))  answers \(percent(tier.answeredShare).padding(toLength: 6, withPad: " ", startingAt: 0))  right on \(tier.accuracy.map(percent) ?? "–")"
            )
        }
        print(
            "            frontier                         answers \(percent(chosen.escalationRate)): three tiers reach \(percent(chosen.accuracy)) at $\(String(format: "%.2f", chosen.dollarsPer1000Requests)) per 1,000 requests"
        )
    }

    /// The splits, the out-of-scope texts for the drift simulation, and where they came from.
    private func loadData() throws -> (Dataset, Dataset, Dataset, [String], String) {
        guard let data else {
            let all = try AgentRoutes.dataset()
            let split = try all.stratifiedSplit(validationFraction: 0.2, testFraction: 0.3, seed: seed)
            return (split.train, split.validation, split.test, AgentRoutes.outOfScope, "the built-in routing dataset")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue {
            let folder = URL(fileURLWithPath: data)
            let full = try Dataset(contentsOf: folder.appendingPathComponent("train.jsonl"))
            let test = try Dataset(contentsOf: folder.appendingPathComponent("test.jsonl"))
            let split = try full.stratifiedSplit(validationFraction: 0.1, testFraction: 0, seed: seed)
            return (split.train, split.validation, test, [], data)
        }
        let all = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let split = try all.stratifiedSplit(validationFraction: 0.2, testFraction: 0.2, seed: seed)
        return (split.train, split.validation, split.test, [], data)
    }

    private func row(_ index: Int, of features: Tensor) throws -> [Double] {
        let width = features.shape[1]
        return features.scalars[(index * width)..<((index + 1) * width)].map(Double.init)
    }

    private func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    private func megabytes(_ bytes: Int) -> String { String(format: "%5.1f MB", Double(bytes) / 1_000_000) }
    private func milliseconds(_ value: Double) -> String { String(format: value < 10 ? "%.2f ms" : "%.0f ms", value) }
    /// The bytes of the projections of the classifier's encoder (0 for a static table, which has none).
    private func projectionBytes(of classifier: EmbeddingClassifier) -> Int {
        (classifier.embedder as? SentenceEmbedder)?.encoder.projectionWeightBytes ?? 0
    }
}
