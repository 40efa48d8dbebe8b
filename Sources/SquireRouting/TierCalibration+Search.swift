extension TierCalibration {
    /// What one combination of thresholds does, in counts: what the objective compares, and
    /// enough to rebuild the thresholds (each tier takes its most confident open requests, so
    /// the counts alone say which requests each tier took).
    struct Counts {
        /// Requests each tier answered.
        var answered: [Int]
        /// Of those, the ones it got right.
        var correct: [Int]
        /// Requests that reached each tier.
        var reached: [Int]
        /// Requests sent to the fallback, and the ones it got right.
        var escalated = 0
        var escalatedCorrect = 0
        /// Dollars per 1,000 requests.
        var dollars = 0.0

        var totalCorrect: Int { correct.reduce(0, +) + escalatedCorrect }
    }

    /// The search over threshold combinations.
    ///
    /// A tier's threshold only matters through how many of the requests that reach it it
    /// takes — always its most confident ones, ties together — so the search walks "take the
    /// first m" cuts of each tier's open requests sorted by confidence. Every tier but the
    /// last is a loop level; the last is one pass over its pre-sorted order that skips the
    /// requests earlier tiers took and weighs every cut on the way, so two tiers cost O(N²).
    struct Search {
        let n: Int
        let confidences: [[Double]]
        let right: [[Bool]]
        let fallbackRight: [Bool]
        /// Each tier's requests by confidence, highest first.
        let orders: [[Int]]
        let prices: [Double]
        let fallbackPrice: Double
        let target: ThresholdCalibration.Target
        /// The most cuts each tier but the last tries; `nil`: all of them.
        let cap: Int?
        /// For an accuracy target, the fewest right answers that reach it; for an escalation
        /// target, the most requests that may escalate. Counted once, with the same rounding
        /// slack as ``ThresholdCalibration``, so a tier of one agrees with it exactly.
        let minimumCorrect: Int
        let maximumEscalated: Int

        /// For each request, 1 + the index of the tier that took it in the combination being
        /// weighed; 0 while it is still open.
        var takenBy: [Int]
        var current: Counts
        var best: Counts?
        /// Whether the cap left a cut out somewhere.
        var capped = false

        init(
            confidences: [[Double]], right: [[Bool]], fallbackRight: [Bool], prices: [Double], fallbackPrice: Double,
            target: ThresholdCalibration.Target
        ) {
            let n = fallbackRight.count
            let tiers = confidences.count
            self.n = n
            self.confidences = confidences
            self.right = right
            self.fallbackRight = fallbackRight
            orders = confidences.map { c in (0..<n).sorted { c[$0] > c[$1] } }
            self.prices = prices
            self.fallbackPrice = fallbackPrice
            self.target = target
            cap = Self.cap(tiers: tiers)
            switch target {
            case .accuracy(let goal):
                minimumCorrect = (0...n).first { Double($0) / Double(n) >= goal - 1e-12 } ?? n
                maximumEscalated = n
            case .escalationRate(let limit):
                minimumCorrect = 0
                maximumEscalated = (0...n).last { Double($0) / Double(n) <= limit + 1e-12 } ?? 0
            }
            takenBy = Array(repeating: 0, count: n)
            let zeros = Array(repeating: 0, count: tiers)
            current = Counts(answered: zeros, correct: zeros, reached: zeros)
        }

        /// The most cuts per tier but the last for `tiers` tiers: none with two (the search is
        /// exact), else the largest c with c^(tiers − 1) ≤ 10,000, so the loop levels weigh
        /// about 10,000 combinations whatever the number of tiers.
        static func cap(tiers: Int) -> Int? {
            guard tiers > 2 else { return nil }
            func power(_ base: Int) -> Int { (1..<tiers).reduce(1) { product, _ in product * base } }
            var c = 2
            while power(c + 1) <= 10_000 { c += 1 }
            return c
        }

        mutating func run() {
            descend(tier: 0, open: n)
        }

        /// Tries every cut of tier `tier` over the `open` requests no earlier tier took.
        private mutating func descend(tier: Int, open: Int) {
            current.reached[tier] = open
            if tier == confidences.count - 1 {
                scanLast(open: open)
                return
            }
            let confidence = confidences[tier]
            let list = orders[tier].filter { takenBy[$0] == 0 }
            // A cut may only fall between different confidences: one threshold cannot split ties.
            var cuts = [0]
            for m in list.indices.dropFirst() where confidence[list[m]] != confidence[list[m - 1]] { cuts.append(m) }
            if !list.isEmpty { cuts.append(list.count) }
            if let cap, cuts.count > cap + 1 {
                cuts = Self.quantiles(of: cuts, keeping: cap)
                capped = true
            }
            var taken = 0
            var correct = 0
            for cut in cuts {
                while taken < cut {
                    let i = list[taken]
                    takenBy[i] = tier + 1
                    if right[tier][i] { correct += 1 }
                    taken += 1
                }
                current.answered[tier] = taken
                current.correct[tier] = correct
                descend(tier: tier + 1, open: open - taken)
            }
            for i in list[..<taken] { takenBy[i] = 0 }
        }

        /// About `cap` + 1 of `cuts` (ascending, from 0 to the open count) at evenly spaced
        /// shares of the open requests, each moved up to the next cut there is; 0 and all are kept.
        static func quantiles(of cuts: [Int], keeping cap: Int) -> [Int] {
            let total = cuts[cuts.count - 1]
            var kept: [Int] = []
            var k = 0
            for q in 0...cap {
                let goal = (q * total + cap / 2) / cap
                while cuts[k] < goal { k += 1 }
                if kept.last != cuts[k] { kept.append(cuts[k]) }
            }
            return kept
        }

        /// Weighs every cut of the last tier over the `open` requests the others passed on.
        private mutating func scanLast(open: Int) {
            let last = confidences.count - 1
            // What the earlier tiers settled, fixed through the pass. Prices are summed as
            // price × reached share, so that for one tier the sum is ThresholdCalibration's.
            var paid = 0.0
            for tier in 0...last { paid += prices[tier] * (Double(current.reached[tier]) / Double(n)) }
            let settledCorrect = current.correct[..<last].reduce(0, +)
            var openFallbackRight = 0
            for i in 0..<n where takenBy[i] == 0 && fallbackRight[i] { openFallbackRight += 1 }

            let order = orders[last]
            let confidence = confidences[last]
            let rightHere = right[last]
            var taken = 0
            var correct = 0
            var fallbackRightTaken = 0
            var previous = 0.0
            consider(
                taken: 0, correct: 0, escalated: open, escalatedCorrect: openFallbackRight,
                settledCorrect: settledCorrect, paid: paid)
            for i in order where takenBy[i] == 0 {
                // The cut before a new confidence: everything taken so far is strictly more confident.
                if taken > 0 && confidence[i] != previous {
                    consider(
                        taken: taken, correct: correct, escalated: open - taken,
                        escalatedCorrect: openFallbackRight - fallbackRightTaken, settledCorrect: settledCorrect,
                        paid: paid)
                }
                taken += 1
                if rightHere[i] { correct += 1 }
                if fallbackRight[i] { fallbackRightTaken += 1 }
                previous = confidence[i]
            }
            if taken > 0 {
                consider(
                    taken: taken, correct: correct, escalated: 0, escalatedCorrect: 0, settledCorrect: settledCorrect,
                    paid: paid)
            }
        }

        /// Keeps the combination with the last tier taking `taken` requests when it is better
        /// than the best so far.
        private mutating func consider(
            taken: Int, correct: Int, escalated: Int, escalatedCorrect: Int, settledCorrect: Int, paid: Double
        ) {
            let totalCorrect = settledCorrect + correct + escalatedCorrect
            guard totalCorrect >= minimumCorrect, escalated <= maximumEscalated else { return }
            let dollars = paid + fallbackPrice * (Double(escalated) / Double(n))
            let last = confidences.count - 1
            if let best {
                if case .escalationRate = target, totalCorrect != best.totalCorrect {
                    guard totalCorrect > best.totalCorrect else { return }
                } else if !Self.same(dollars, best.dollars) {
                    guard dollars < best.dollars else { return }
                } else if escalated != best.escalated {
                    guard escalated < best.escalated else { return }
                } else {
                    // More answers from earlier tiers, the first tier's count first.
                    var decided = false
                    for tier in 0..<last where current.answered[tier] != best.answered[tier] {
                        guard current.answered[tier] > best.answered[tier] else { return }
                        decided = true
                        break
                    }
                    // Equal counts are the same combination: keep the first.
                    guard decided || taken > best.answered[last] else { return }
                }
            }
            var chosen = current
            chosen.answered[last] = taken
            chosen.correct[last] = correct
            chosen.escalated = escalated
            chosen.escalatedCorrect = escalatedCorrect
            chosen.dollars = dollars
            best = chosen
        }

        /// Whether two costs are the same but for rounding: they are sums of the same prices
        /// in the same order, so any real difference is far larger than this.
        private static func same(_ a: Double, _ b: Double) -> Bool {
            abs(a - b) <= 1e-12 * max(abs(a), abs(b))
        }

        /// The thresholds and shares of a combination, found again by letting each tier take
        /// its counted most confident open requests.
        func point(for counts: Counts) -> Point {
            var taken = Array(repeating: false, count: n)
            var outcomes: [TierOutcome] = []
            for (tier, confidence) in confidences.enumerated() {
                let list = orders[tier].filter { !taken[$0] }
                let m = counts.answered[tier]
                // Between the most confident request passed on and the least confident one
                // taken; a tier nothing reaches answers everything, which is moot.
                let threshold =
                    list.isEmpty
                    ? ThresholdCalibration.shortestDecimal(above: nil, atMost: confidence.min() ?? 0)
                    : ThresholdCalibration.shortestDecimal(
                        above: m < list.count ? confidence[list[m]] : nil, atMost: m > 0 ? confidence[list[m - 1]] : nil
                    )
                for i in list[..<m] { taken[i] = true }
                outcomes.append(
                    TierOutcome(
                        threshold: threshold, reachedShare: Double(list.count) / Double(n),
                        answeredShare: Double(m) / Double(n),
                        accuracy: m > 0 ? Double(counts.correct[tier]) / Double(m) : nil))
            }
            return Point(
                tiers: outcomes, escalationRate: Double(counts.escalated) / Double(n),
                escalatedAccuracy: counts.escalated > 0
                    ? Double(counts.escalatedCorrect) / Double(counts.escalated) : nil,
                accuracy: Double(counts.totalCorrect) / Double(n), dollarsPer1000Requests: counts.dollars)
        }
    }
}
