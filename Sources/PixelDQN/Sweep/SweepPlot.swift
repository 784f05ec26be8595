// sweep.png: every seed's periodic evaluation curve (thin), the IQM across seeds with its 95 %
// bootstrap band, and the solve threshold, against agent steps (env steps without frame skip);
// drawn on the project's RGBCanvas with ReturnsPlot's ticks and labels. The numbers come from
// SweepReport; nothing is computed here.
import Foundation

public enum SweepPlot {
    static let seedColours = [RGB(110, 140, 200), RGB(200, 120, 100), RGB(100, 165, 110), RGB(170, 120, 190),
                              RGB(190, 160, 80), RGB(90, 165, 180), RGB(140, 140, 140), RGB(205, 115, 160)]
    static let iqmColour = RGB(20, 55, 160)
    static let bandColour = RGB(90, 130, 230)
    static let thresholdColour = RGB(60, 160, 60)

    public static func draw(_ report: SweepReport, width: Int = 800, height: Int = 480) -> PNGImage {
        var c = RGBCanvas(width: width, height: height)
        let (left, right, top, bottom) = (70, 20, 62, 50)
        let pw = width - left - right, ph = height - top - bottom
        let lastStep = report.curve.last?.step ?? 0
        let xMax = Double(max(report.budget, lastStep, 1))
        let highest = (report.runs.flatMap { $0.evaluations.map(\.mean) } + report.curve.map(\.upper)).max() ?? 0
        let lowest = (report.runs.flatMap { $0.evaluations.map(\.mean) } + report.curve.map(\.lower)).min() ?? 0
        let (yMin, yMax) = ReturnsPlot.valueRange([lowest, highest], threshold: report.threshold)
        func px(_ step: Double) -> Double { Double(left) + step / xMax * Double(pw) }
        func py(_ v: Double) -> Double { Double(top + ph) - (max(yMin, v) - yMin) / (yMax - yMin) * Double(ph) }
        let axis = RGB(40, 40, 40), grid = RGB(225, 225, 225)

        // Grid, ticks and labels.
        ReturnsPlot.drawGrid(on: &c, left: left, top: top, width: pw, height: ph, xMax: xMax, yMin: yMin, yMax: yMax,
                             x: px, y: py, grid: grid, axis: axis)
        // The 95 % band: each pixel column between two evaluation steps is shaded between the
        // linearly interpolated bounds (one step alone gets a short bar).
        let curve = report.curve
        if curve.count == 1, let p = curve.first {
            shade(&c, x: Int(px(Double(p.step)).rounded()) - 1, through: Int(px(Double(p.step)).rounded()) + 1, py(p.lower), py(p.upper))
        }
        for (k, (a, b)) in zip(curve, curve.dropFirst()).enumerated() {
            let x0 = px(Double(a.step)), x1 = px(Double(b.step))
            // Each column once: a segment leaves its last column to the next one.
            let end = Int(x1.rounded()) - (k + 2 < curve.count ? 1 : 0)
            var x = Int(x0.rounded())
            while x <= end {
                let f = x1 > x0 ? min(1, max(0, (Double(x) - x0) / (x1 - x0))) : 0
                shade(&c, x: x, through: x, py(a.lower + (b.lower - a.lower) * f), py(a.upper + (b.upper - a.upper) * f))
                x += 1
            }
        }
        // Each seed, thin; after its last evaluation, dotted at that value up to the last step
        // of the curve (how the IQM counts a run that stopped early).
        for (i, run) in report.runs.enumerated() {
            let colour = seedColours[i % seedColours.count]
            var previous: (Double, Double)?
            for e in run.evaluations {
                let p = (px(Double(e.step)), py(e.mean))
                if let q = previous { c.line(q.0, q.1, p.0, p.1, colour) }
                previous = p
            }
            if let last = run.evaluations.last, last.step < lastStep {
                dashed(&c, from: px(Double(last.step)), to: px(Double(lastStep)), y: py(last.mean), colour, dash: 2, gap: 3)
            }
        }
        // Solve threshold, dashed.
        if report.threshold.isFinite {
            dashed(&c, from: Double(left), to: Double(left + pw), y: py(report.threshold), thresholdColour, dash: 6, gap: 6)
        }
        // The IQM across seeds: thick, with markers.
        var previous: (Double, Double)?
        for p in curve {
            let q = (px(Double(p.step)), py(p.iqm))
            if let r = previous { c.line(r.0, r.1, q.0, q.1, iqmColour, thickness: 2.5) }
            c.dot(q.0, q.1, iqmColour, size: 4)
            previous = q
        }
        // Axes, title, labels, legend (one row between the title and the plot, hiding no data).
        c.line(Double(left), Double(top), Double(left), Double(top + ph), axis)
        c.line(Double(left), Double(top + ph), Double(left + pw), Double(top + ph), axis)
        let n = report.runs.count
        c.text("\(report.env.rawValue) from \(report.observation.rawValue), \(n) seed\(n == 1 ? "" : "s")", x: left, y: 12, .black, scale: 2)
        // One frame skip for all runs names its env steps; runs of several are in agent steps.
        let skips = Set(report.runs.map(\.config.frameSkip))
        let stepAxis = ReturnsPlot.stepAxisLabel(frameSkip: skips.count == 1 ? skips.first : nil)
        c.text(stepAxis, x: left + pw / 2 - BitmapFont.width(stepAxis) / 2, y: height - 18, axis)
        c.text("EVALUATION RETURN", x: 14, y: top + ph / 2 + BitmapFont.width("EVALUATION RETURN") / 2, axis, vertical: true)
        var lx = left
        for (label, colour, thick) in [("EACH SEED", seedColours[0], 1.0), ("IQM OVER SEEDS", iqmColour, 2.5),
                                        ("95% CI OF THE IQM", bandColour, 0), ("SOLVED (\(report.threshold.isFinite ? ReturnsPlot.label(report.threshold) : "NO TARGET"))", thresholdColour, 1.0)] {
            if thick > 0 {
                c.line(Double(lx), Double(top - 14), Double(lx + 20), Double(top - 14), colour, thickness: thick)
            } else {
                shade(&c, x: lx, through: lx + 20, Double(top - 10), Double(top - 18))
            }
            c.text(label, x: lx + 26, y: top - 17, axis)
            lx += 26 + BitmapFont.width(label) + 24
        }
        return c.image
    }

    /// Shades the columns x...through between the rows of two y values, translucently.
    private static func shade(_ c: inout RGBCanvas, x: Int, through: Int, _ ya: Double, _ yb: Double) {
        let y0 = Int(min(ya, yb).rounded()), y1 = Int(max(ya, yb).rounded())
        for xx in x...max(x, through) { for y in y0...y1 { c.blend(xx, y, bandColour, 0.28) } }
    }

    private static func dashed(_ c: inout RGBCanvas, from x0: Double, to x1: Double, y: Double, _ colour: RGB, dash: Double, gap: Double) {
        var x = x0
        while x < x1 {
            c.line(x, y, min(x + dash, x1), y, colour)
            x += dash + gap
        }
    }
}
