/// The four pictures of the HTML report, drawn as inline SVG (no script, no network).
enum SVGChart {
    /// Text safe inside HTML and SVG.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    private static func number(_ value: Double) -> String { value.formatted(digits: 1) }

    /// Rows are expected labels, columns predicted; shade is the row share (recall for the diagonal).
    static func confusionHeatmap(_ matrix: ConfusionMatrix) -> String {
        let n = matrix.labels.count
        guard n > 0 else { return "<p>No answers.</p>" }
        let cell = max(6.0, min(36.0, 640.0 / Double(n)))
        let showNames = n <= 40
        let margin = showNames ? 150.0 : 20.0
        let side = cell * Double(n)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"confusion matrix\" width=\"\(number(margin + side + (showNames ? 130 : 10)))\" height=\"\(number(margin + side + 10))\" font-size=\"11\">"
        for (i, row) in matrix.counts.enumerated() {
            let total = max(1, row.reduce(0, +))
            for (j, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                // Square-root shading keeps a few confusions out of many visible.
                let color =
                    i == j
                    ? "rgba(30,120,60,\(max(0.06, share).formatted(digits: 3)))"
                    : "rgba(200,40,40,\(share.squareRoot().formatted(digits: 3)))"
                svg +=
                    "<rect x=\"\(number(margin + Double(j) * cell))\" y=\"\(number(margin + Double(i) * cell))\" width=\"\(number(cell))\" height=\"\(number(cell))\" fill=\"\(color)\" stroke=\"#eee\">"
                svg +=
                    "<title>expected \(escape(matrix.labels[i])), predicted \(escape(matrix.labels[j])): \(count)</title></rect>"
                if cell >= 22 && count > 0 {
                    svg +=
                        "<text x=\"\(number(margin + (Double(j) + 0.5) * cell))\" y=\"\(number(margin + (Double(i) + 0.5) * cell + 4))\" text-anchor=\"middle\">\(count)</text>"
                }
            }
        }
        if showNames {
            for (k, label) in matrix.labels.enumerated() {
                let short = escape(String(label.prefix(22)))
                svg +=
                    "<text x=\"\(number(margin - 4))\" y=\"\(number(margin + (Double(k) + 0.5) * cell + 4))\" text-anchor=\"end\">\(short)</text>"
                let x = margin + (Double(k) + 0.5) * cell
                svg +=
                    "<text transform=\"translate(\(number(x + 4)),\(number(margin - 4))) rotate(-60)\">\(short)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Accuracy per confidence bin against the diagonal of perfect calibration.
    static func reliabilityDiagram(_ bins: [ReliabilityBin]) -> String {
        let size = 320.0
        let pad = 40.0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"reliability diagram\" width=\"\(number(size + 2 * pad))\" height=\"\(number(size + 2 * pad))\" font-size=\"11\">"
        svg += axes(size: size, pad: pad, xLabel: "confidence", yLabel: "accuracy")
        for bin in bins where bin.count > 0 {
            let x = pad + bin.lower * size
            let width = (bin.upper - bin.lower) * size
            let height = bin.accuracy * size
            svg +=
                "<rect x=\"\(number(x))\" y=\"\(number(pad + size - height))\" width=\"\(number(width - 1))\" height=\"\(number(height))\" fill=\"#4a7fb5\">"
            svg +=
                "<title>\(bin.lower.formatted(digits: 2))–\(bin.upper.formatted(digits: 2)): \(bin.count) answers, accuracy \(bin.accuracy.formatted(digits: 3)), mean confidence \(bin.meanConfidence.formatted(digits: 3))</title></rect>"
            let gapTop = pad + size - bin.meanConfidence * size
            svg +=
                "<line x1=\"\(number(x))\" x2=\"\(number(x + width - 1))\" y1=\"\(number(gapTop))\" y2=\"\(number(gapTop))\" stroke=\"#c33\" stroke-width=\"2\"/>"
        }
        svg +=
            "<line x1=\"\(number(pad))\" y1=\"\(number(pad + size))\" x2=\"\(number(pad + size))\" y2=\"\(number(pad))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
        return svg + "</svg>"
    }

    /// Error rate of the kept answers against the share kept.
    static func riskCoverage(_ points: [SelectivePoint]) -> String {
        let size = 320.0
        let pad = 40.0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"risk-coverage curve\" width=\"\(number(size + 2 * pad))\" height=\"\(number(size + 2 * pad))\" font-size=\"11\">"
        let top = max(0.05, (points.map(\.risk).max() ?? 0) * 1.1)
        svg += axes(size: size, pad: pad, xLabel: "coverage", yLabel: "risk (error rate)", yMaximum: top)
        let coordinates = points.map {
            "\(number(pad + $0.coverage * size)),\(number(pad + size - $0.risk / top * size))"
        }
        svg +=
            "<polyline fill=\"none\" stroke=\"#4a7fb5\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>"
        return svg + "</svg>"
    }

    /// One bar per label, weakest first.
    static func f1Bars(_ classes: [ClassMetrics]) -> String {
        let rows = classes.sorted { ($0.f1, $0.label) < ($1.f1, $1.label) }
        let height = 16.0
        let width = 360.0
        let left = 170.0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"F1 per label\" width=\"\(number(left + width + 60))\" height=\"\(number(Double(rows.count) * height + 10))\" font-size=\"11\">"
        for (k, row) in rows.enumerated() {
            let y = Double(k) * height + 4
            svg +=
                "<text x=\"\(number(left - 6))\" y=\"\(number(y + 11))\" text-anchor=\"end\">\(escape(String(row.label.prefix(26))))</text>"
            svg +=
                "<rect x=\"\(number(left))\" y=\"\(number(y))\" width=\"\(number(max(0.5, row.f1 * width)))\" height=\"\(number(height - 3))\" fill=\"\(row.f1 < 0.5 ? "#c33" : row.f1 < 0.8 ? "#e0a030" : "#3a8f50")\">"
            svg +=
                "<title>\(escape(row.label)): F1 \(row.f1.formatted(digits: 3)), precision \(row.precision.formatted(digits: 3)), recall \(row.recall.formatted(digits: 3)), support \(row.support)</title></rect>"
            svg +=
                "<text x=\"\(number(left + max(0.5, row.f1 * width) + 4))\" y=\"\(number(y + 11))\">\(row.f1.formatted(digits: 2))</text>"
        }
        return svg + "</svg>"
    }

    private static func axes(size: Double, pad: Double, xLabel: String, yLabel: String, yMaximum: Double = 1) -> String
    {
        var svg =
            "<line x1=\"\(number(pad))\" y1=\"\(number(pad + size))\" x2=\"\(number(pad + size))\" y2=\"\(number(pad + size))\" stroke=\"#333\"/>"
        svg +=
            "<line x1=\"\(number(pad))\" y1=\"\(number(pad))\" x2=\"\(number(pad))\" y2=\"\(number(pad + size))\" stroke=\"#333\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg +=
                "<text x=\"\(number(pad + tick * size))\" y=\"\(number(pad + size + 14))\" text-anchor=\"middle\">\(tick.formatted(digits: 2))</text>"
            svg +=
                "<text x=\"\(number(pad - 4))\" y=\"\(number(pad + size - tick * size + 4))\" text-anchor=\"end\">\((tick * yMaximum).formatted(digits: 2))</text>"
        }
        svg +=
            "<text x=\"\(number(pad + size / 2))\" y=\"\(number(pad + size + 30))\" text-anchor=\"middle\">\(xLabel)</text>"
        svg +=
            "<text transform=\"translate(\(number(pad - 30)),\(number(pad + size / 2))) rotate(-90)\" text-anchor=\"middle\">\(yLabel)</text>"
        return svg
    }
}
