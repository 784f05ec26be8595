// returns.png: episode returns (dots, and their moving average) and evaluation means (red line
// with markers) against agent steps (env steps without frame skip), with axes, ticks and labels;
// the seed's matplotlib figure, drawn by the project's own canvas and written by libpng.
import Foundation

public enum ReturnsPlot {
    /// "Nice" tick spacing (1, 2 or 5 × 10^n) giving about `count` ticks over `range`.
    static func tickStep(_ range: Double, count: Int) -> Double {
        let raw = range / Double(max(1, count))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2.0, 5.0, 10.0] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    static func label(_ v: Double) -> String {
        if v >= 1_000_000 { return String(format: v.truncatingRemainder(dividingBy: 1_000_000) == 0 ? "%.0fM" : "%.1fM", v / 1_000_000) }
        if v >= 1_000 { return String(format: v.truncatingRemainder(dividingBy: 1_000) == 0 ? "%.0fK" : "%.1fK", v / 1_000) }
        return String(format: "%.0f", v)
    }

    /// The return axis for `values` and the solve `threshold`: from 0 up, 5 % above the highest
    /// (CartPole's returns are positive); when anything is negative (a task paying −1 per step) it
    /// reaches 5 % below the lowest, and up to 0 or 5 % above the highest.
    static func valueRange(_ values: [Double], threshold given: Double) -> (min: Double, max: Double) {
        // A task without a threshold (an Atari game with no target score: +∞) is scaled to its values.
        let threshold = given.isFinite ? given : (values.max() ?? 0)
        let lowest = min(values.min() ?? 0, threshold)
        guard lowest < 0 else { return (0, max(threshold * 1.05, (values.max() ?? 1) * 1.05, 1)) }
        let highest = max(values.max() ?? 0, threshold)
        return (lowest * 1.05, highest > 0 ? highest * 1.05 : 0)
    }

    /// The grid lines, ticks and tick labels of a plot area (`left`, `top`, `width` × `height`)
    /// whose axes run from 0 to `xMax` and from `yMin` to `yMax`; `x` and `y` map values to pixels.
    static func drawGrid(on c: inout RGBCanvas, left: Int, top: Int, width pw: Int, height ph: Int,
                         xMax: Double, yMin: Double = 0, yMax: Double, x px: (Double) -> Double, y py: (Double) -> Double,
                         grid: RGB, axis: RGB) {
        let xs = tickStep(xMax, count: 8), ys = tickStep(yMax - yMin, count: 6)
        var t = 0.0
        while t <= xMax + 1e-9 {
            let x = px(t)
            c.line(x, Double(top), x, Double(top + ph), grid)
            c.line(x, Double(top + ph), x, Double(top + ph + 5), axis)
            let s = label(t)
            c.text(s, x: Int(x) - BitmapFont.width(s) / 2, y: top + ph + 9, axis)
            t += xs
        }
        t = (yMin / ys).rounded(.up) * ys + 0
        while t <= yMax + 1e-9 {
            let y = py(t)
            c.line(Double(left), y, Double(left + pw), y, grid)
            c.line(Double(left - 5), y, Double(left), y, axis)
            let s = label(t)
            c.text(s, x: left - 8 - BitmapFont.width(s), y: Int(y) - 3, axis)
            t += ys
        }
    }

    /// The step axis's name: steps are agent steps, each `frameSkip` env steps when it is above 1.
    public static func stepAxisLabel(frameSkip: Int?) -> String {
        switch frameSkip {
        case 1: return "ENV STEPS"
        case let k?: return "AGENT STEPS (\(k) ENV STEPS EACH)"
        case nil: return "AGENT STEPS"
        }
    }

    /// Draws the figure for `metrics`. `threshold` is drawn as a dashed line (the solve level).
    /// Steps are the run's agent steps, `frameSkip` env steps each.
    public static func draw(_ metrics: MetricsLog, threshold: Double, totalSteps: Int, frameSkip: Int = 1, title: String,
                            width: Int = 800, height: Int = 480) -> PNGImage {
        var c = RGBCanvas(width: width, height: height)
        let (left, right, top, bottom) = (70, 20, 62, 50)
        let pw = width - left - right, ph = height - top - bottom
        let xMax = Double(max(totalSteps, metrics.episodes.last?.step ?? 1, 1))
        let allReturns = metrics.episodes.map(\.episodeReturn) + metrics.evaluations.map(\.stats.mean)
        let (yMin, yMax) = valueRange(allReturns, threshold: threshold)
        func px(_ step: Double) -> Double { Double(left) + step / xMax * Double(pw) }
        func py(_ v: Double) -> Double { Double(top + ph) - (v - yMin) / (yMax - yMin) * Double(ph) }
        let axis = RGB(40, 40, 40), grid = RGB(225, 225, 225)

        // Grid, ticks and labels.
        drawGrid(on: &c, left: left, top: top, width: pw, height: ph, xMax: xMax, yMin: yMin, yMax: yMax,
                 x: px, y: py, grid: grid, axis: axis)
        // Solve threshold, dashed.
        var d = threshold.isFinite ? 0 : pw
        while d < pw {
            c.line(Double(left + d), py(threshold), Double(left + min(d + 6, pw)), py(threshold), RGB(60, 160, 60))
            d += 12
        }
        // Episode returns: light dots, and a moving average over 20 episodes.
        for e in metrics.episodes { c.dot(px(Double(e.step)), py(e.episodeReturn), RGB(150, 180, 230), size: 2) }
        var window: [Double] = []
        var previous: (Double, Double)?
        for e in metrics.episodes {
            window.append(e.episodeReturn)
            if window.count > 20 { window.removeFirst() }
            let p = (px(Double(e.step)), py(window.reduce(0, +) / Double(window.count)))
            if let q = previous { c.line(q.0, q.1, p.0, p.1, RGB(30, 80, 200), thickness: 2) }
            previous = p
        }
        // Evaluation means: red line with markers.
        previous = nil
        for v in metrics.evaluations where !v.confirmation {
            let p = (px(Double(v.step)), py(v.stats.mean))
            if let q = previous { c.line(q.0, q.1, p.0, p.1, RGB(210, 40, 40), thickness: 2) }
            c.dot(p.0, p.1, RGB(210, 40, 40), size: 5)
            previous = p
        }
        // Confirmations (the final evaluation's episodes): purple markers, not joined.
        for v in metrics.evaluations where v.confirmation {
            c.dot(px(Double(v.step)), py(v.stats.mean), RGB(120, 40, 170), size: 7)
        }
        // Axes, title, labels, legend.
        c.line(Double(left), Double(top), Double(left), Double(top + ph), axis)
        c.line(Double(left), Double(top + ph), Double(left + pw), Double(top + ph), axis)
        c.text(title, x: left, y: 12, .black, scale: 2)
        let stepAxis = stepAxisLabel(frameSkip: frameSkip)
        c.text(stepAxis, x: left + pw / 2 - BitmapFont.width(stepAxis) / 2, y: height - 18, axis)
        c.text("RETURN", x: 14, y: top + ph / 2 + BitmapFont.width("RETURN") / 2, axis, vertical: true)
        // Legend: one row between the title and the plot, so it never hides data.
        var lx = left
        for (label, colour, thick) in [("EPISODE RETURN (MEAN OF 20)", RGB(30, 80, 200), 2.0),
                                        ("EVALUATION MEAN", RGB(210, 40, 40), 2.0),
                                        ("CONFIRMATION", RGB(120, 40, 170), 4.0),
                                        ("SOLVED (\(threshold.isFinite ? label(threshold) : "NO TARGET"))", RGB(60, 160, 60), 1.0)] {
            c.line(Double(lx), Double(top - 14), Double(lx + 20), Double(top - 14), colour, thickness: thick)
            c.text(label, x: lx + 26, y: top - 17, axis)
            lx += 26 + BitmapFont.width(label) + 24
        }
        return c.image
    }
}
