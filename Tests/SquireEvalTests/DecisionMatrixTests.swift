import SquireEval
import Testing

@Suite struct DecisionMatrixTests {
    /// A frontier prompt: best quality, slow, $2 per 1,000 calls; a local model: a little
    /// worse, fast, free per call but $150 a month to host.
    let frontier = report(pairs(200, wrong: 8), latency: 0.9, dollars: 0.002, model: "frontier")
    let local = report(pairs(200, wrong: 10), latency: 0.004, dollars: 0, model: "local")

    @Test func recommendsTheCheapestEligibleAndFindsTheBreakEven() throws {
        let matrix = DecisionMatrix(
            candidates: [
                .init(name: "frontier", report: frontier),
                .init(name: "local", report: local, fixedMonthlyDollars: 150),
            ],
            monthlyVolume: 1_000_000, metric: .accuracy, qualityTolerance: 0.02)
        #expect(matrix.recommendation == "local")
        let frontierRow = matrix.rows[0]
        #expect(abs(frontierRow.dollarsPer1000Requests - 2) < 1e-9)
        #expect(abs(frontierRow.monthlyDollars - 2000) < 1e-6)
        #expect(matrix.rows[1].monthlyDollars == 150)
        // 150 $ fixed against 2 $ per 1,000: the lines cross at 75,000 requests a month.
        #expect(abs(try #require(frontierRow.breakEvenVolume) - 75_000) < 1e-6)
        #expect(matrix.reasons[0].hasPrefix("recommend local"))
        #expect(matrix.markdown.contains("| **local** |"))

        // Below the break-even volume the frontier prompt is cheaper.
        let small = DecisionMatrix(
            candidates: [
                .init(name: "frontier", report: frontier),
                .init(name: "local", report: local, fixedMonthlyDollars: 150),
            ],
            monthlyVolume: 50_000, metric: .accuracy, qualityTolerance: 0.02)
        #expect(small.recommendation == "frontier")
    }

    @Test func qualityBarAndLatencyBudgetExclude() {
        let strict = DecisionMatrix(
            candidates: [
                .init(name: "frontier", report: frontier),
                .init(name: "local", report: local, fixedMonthlyDollars: 150),
            ],
            monthlyVolume: 1_000_000, metric: .accuracy, minimumQuality: 0.955)
        #expect(strict.recommendation == "frontier")
        #expect(strict.rows.map(\.eligible) == [true, false])
        let fast = DecisionMatrix(
            candidates: [.init(name: "frontier", report: frontier), .init(name: "local", report: local)],
            monthlyVolume: 1000, metric: .accuracy, minimumQuality: 0.955, p95Budget: 100)
        #expect(fast.recommendation == nil)
        #expect(fast.reasons[0].contains("no candidate meets"))
    }
}
