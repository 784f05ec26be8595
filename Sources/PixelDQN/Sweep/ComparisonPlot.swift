// compare.png: four panels drawn on the project's RGBCanvas from a ComparisonReport (nothing is
// computed here): the IQM of the normalised final score and of the steps to solve per setting,
// each with its 95 % interval as a bar; the performance profile of each setting with its band;
// and the probability of improvement of each pair of settings with its interval.
import Foundation

public enum ComparisonPlot {
    static let colours = [RGB(40, 90, 190), RGB(210, 90, 40), RGB(40, 150, 70), RGB(150, 70, 180),
                          RGB(190, 150, 20), RGB(30, 150, 170), RGB(120, 120, 120), RGB(200, 60, 130)]
    static let axis = RGB(40, 40, 40), grid = RGB(225, 225, 225)
    static let rowHeight = 20
    static let width = 1000

    public static func draw(_ report: ComparisonReport) -> PNGImage {
        let labels = report.settings.map(\.label)
        let pairLabels = report.pairs.map { "\($0.x) > \($0.y)" }
        // The label column: the longest label, within a third of a panel.
        let half = width / 2
        let labelWidth = min(half / 2, max(60, (labels + pairLabels).map { BitmapFont.width($0) }.max() ?? 0) + 10)
        let top = 40
        let intervalsHeight = 24 + rowHeight * labels.count + 30
        let lowerHeight = max(300, 24 + rowHeight * max(1, pairLabels.count) + 30)
        var c = RGBCanvas(width: width, height: top + intervalsHeight + 20 + lowerHeight + 10)
        c.text("\(labels.count) SETTING\(labels.count == 1 ? "" : "S") ON \(report.tasks.map(\.rawValue).joined(separator: ", "))",
               x: 14, y: 12, .black, scale: 2)

        let colourOf = { (i: Int) in colours[i % colours.count] }
        // Row 1: the two interval panels.
        let scores = report.settings.map(\.allNormalisedScore)
        let scoreRange = range(scores.compactMap { $0 }.flatMap { [$0.lower, $0.upper] } + [0, 1])
        intervals(&c, x: 10, y: top, width: half - 20, labelWidth: labelWidth,
                  title: report.notNormalised.count == report.tasks.count ? "IQM NORMALISED FINAL SCORE (NO TASK CAN BE NORMALISED)" : "IQM NORMALISED FINAL SCORE, 95% CI",
                  rows: labels.indices.map { (labels[$0], scores[$0], colourOf($0)) }, range: scoreRange, reference: 1)
        let steps = report.settings.map(\.allStepsToSolve)
        let stepRange = range(steps.compactMap { $0 }.flatMap { [$0.lower, $0.upper] } + [0])
        intervals(&c, x: half + 10, y: top, width: half - 20, labelWidth: labelWidth, title: "IQM STEPS TO SOLVE (UNSOLVED = BUDGET), 95% CI",
                  rows: labels.indices.map { (labels[$0], steps[$0], colourOf($0)) }, range: stepRange, reference: nil)
        // Row 2: the profile and the probabilities of improvement.
        let lowerTop = top + intervalsHeight + 20
        profile(&c, report, x: 10, y: lowerTop, width: half - 20, height: lowerHeight, colour: colourOf)
        intervals(&c, x: half + 10, y: lowerTop, width: half - 20, labelWidth: labelWidth, title: "P(X > Y), HIGHER FINAL SCORE, 95% CI",
                  rows: report.pairs.indices.map { (pairLabels[$0], report.pairs[$0].finalScore, colourOf(labels.firstIndex(of: report.pairs[$0].x) ?? 0)) },
                  range: (0, 1), reference: 0.5)
        return c.image
    }

    /// From the lowest to the highest value, a little wider; one unit wide around a single value.
    static func range(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return (0, 1) }
        if hi - lo < 1e-12 { return (lo - 0.5, hi + 0.5) }
        return (lo, hi + (hi - lo) * 0.05)
    }

    /// A label for a tick at `v` when ticks are `step` apart.
    static func tickLabel(_ v: Double, step: Double) -> String {
        if step >= 1 { return ReturnsPlot.label(v.magnitude) .prefixed(v < 0 ? "-" : "") }
        let decimals = max(1, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", v)
    }

    /// Ticks and labels along a horizontal axis at `y` from `lo` to `hi`, with grid lines up to `gridTop`.
    static func xAxis(_ c: inout RGBCanvas, left: Int, width: Int, y: Int, gridTop: Int, lo: Double, hi: Double) {
        let step = ReturnsPlot.tickStep(hi - lo, count: 6)
        var t = (lo / step).rounded(.up) * step
        while t <= hi + 1e-9 * step {
            let x = Double(left) + (t - lo) / (hi - lo) * Double(width)
            c.line(x, Double(gridTop), x, Double(y), grid)
            c.line(x, Double(y), x, Double(y + 4), axis)
            let s = tickLabel(abs(t) < step * 1e-9 ? 0 : t, step: step)
            c.text(s, x: Int(x) - BitmapFont.width(s) / 2, y: y + 8, axis)
            t += step
        }
        c.line(Double(left), Double(y), Double(left + width), Double(y), axis)
    }

    /// One row per estimate: its label, its interval as a bar and its value as a tick; an
    /// optional dashed reference line (1 for normalised scores, ½ for probabilities).
    static func intervals(_ c: inout RGBCanvas, x: Int, y: Int, width: Int, labelWidth: Int, title: String,
                          rows: [(String, Estimate?, RGB)], range: (Double, Double), reference: Double?) {
        c.text(title, x: x, y: y, axis)
        let left = x + labelWidth, plotWidth = width - labelWidth
        let (lo, hi) = range
        func px(_ v: Double) -> Double { Double(left) + (min(max(v, lo), hi) - lo) / (hi - lo) * Double(plotWidth) }
        let rowsTop = y + 18
        let axisY = rowsTop + rowHeight * max(1, rows.count) + 4
        xAxis(&c, left: left, width: plotWidth, y: axisY, gridTop: rowsTop, lo: lo, hi: hi)
        if let reference, reference >= lo, reference <= hi {
            var yy = Double(rowsTop)
            while yy < Double(axisY) {
                c.line(px(reference), yy, px(reference), min(yy + 4, Double(axisY)), RGB(60, 160, 60))
                yy += 8
            }
        }
        if rows.isEmpty { c.text("NONE (ONE SETTING)", x: left + 10, y: rowsTop + 6, axis) }
        for (i, (label, estimate, colour)) in rows.enumerated() {
            let rowY = rowsTop + i * rowHeight
            c.text(fit(label, width: labelWidth - 8), x: x, y: rowY + 6, axis)
            guard let e = estimate else {
                c.text("NO RUNS", x: left + 6, y: rowY + 6, axis)
                continue
            }
            let x0 = Int(px(e.lower).rounded()), x1 = Int(px(e.upper).rounded())
            for xx in x0...max(x0, x1) { for yy in (rowY + 4)...(rowY + 15) { c.blend(xx, yy, colour, 0.35) } }
            c.line(px(e.value), Double(rowY + 2), px(e.value), Double(rowY + 17), colour, thickness: 2.5)
        }
    }

    /// The fraction of runs above each τ, per setting, with its band.
    static func profile(_ c: inout RGBCanvas, _ report: ComparisonReport, x: Int, y: Int, width: Int, height: Int, colour: (Int) -> RGB) {
        c.text("PERFORMANCE PROFILE: FRACTION OF RUNS WITH NORMALISED SCORE > TAU", x: x, y: y, axis)
        let left = x + 40, top = y + 30, plotWidth = width - 50, plotHeight = height - 70
        guard let lo = report.taus.first, let hi = report.taus.last, hi > lo else { return }
        func px(_ t: Double) -> Double { Double(left) + (t - lo) / (hi - lo) * Double(plotWidth) }
        func py(_ f: Double) -> Double { Double(top + plotHeight) - min(max(f, 0), 1) * Double(plotHeight) }
        xAxis(&c, left: left, width: plotWidth, y: top + plotHeight, gridTop: top, lo: lo, hi: hi)
        for f in stride(from: 0.0, through: 1.0001, by: 0.25) {
            c.line(Double(left), py(f), Double(left + plotWidth), py(f), grid)
            let s = String(format: "%.2f", f)
            c.text(s, x: left - 6 - BitmapFont.width(s), y: Int(py(f)) - 3, axis)
        }
        c.line(Double(left), Double(top), Double(left), Double(top + plotHeight), axis)
        c.text("TAU (NORMALISED SCORE)", x: left + plotWidth / 2 - BitmapFont.width("TAU (NORMALISED SCORE)") / 2, y: top + plotHeight + 22, axis)
        if report.notNormalised.count == report.tasks.count {
            c.text("NO TASK CAN BE NORMALISED", x: left + 20, y: top + 20, axis)
            return
        }
        for (i, s) in report.settings.enumerated() where s.profile.count == report.taus.count {
            // The band, column by column between the interpolated bounds.
            for col in 0...plotWidth {
                let t = lo + (hi - lo) * Double(col) / Double(plotWidth)
                let k = min(report.taus.count - 2, max(0, Int((t - lo) / (hi - lo) * Double(report.taus.count - 1))))
                let f = (t - report.taus[k]) / (report.taus[k + 1] - report.taus[k])
                let lower = s.profile[k].lower + (s.profile[k + 1].lower - s.profile[k].lower) * f
                let upper = s.profile[k].upper + (s.profile[k + 1].upper - s.profile[k].upper) * f
                let y0 = Int(py(upper).rounded()), y1 = Int(py(lower).rounded())
                for yy in y0...max(y0, y1) { c.blend(left + col, yy, colour(i), 0.15) }
            }
            for (a, b) in zip(zip(report.taus, s.profile), zip(report.taus, s.profile).dropFirst()) {
                c.line(px(a.0), py(a.1.value), px(b.0), py(b.1.value), colour(i), thickness: 2)
            }
            // The legend, top right.
            let ly = top + 6 + i * 12
            c.line(Double(left + plotWidth - 150), Double(ly + 3), Double(left + plotWidth - 132), Double(ly + 3), colour(i), thickness: 2)
            c.text(fit(s.label, width: 124), x: left + plotWidth - 126, y: ly, axis)
        }
    }

    /// `text` cut to `width` pixels, ending in ".." when cut.
    static func fit(_ text: String, width: Int) -> String {
        if BitmapFont.width(text) <= width { return text }
        var t = text
        while !t.isEmpty && BitmapFont.width(t + "..") > width { t.removeLast() }
        return t + ".."
    }
}

private extension String {
    func prefixed(_ p: String) -> String { p + self }
}
