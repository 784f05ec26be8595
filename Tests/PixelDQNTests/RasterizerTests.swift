// The rasterizer against Gymnasium's rendered frames (Fixtures/gym/frames, written by
// Scripts/gym_reference.py): render → BT.601 gray → cv2 INTER_AREA resize to 84x84.
import Foundation
import Testing
import PixelDQN

struct FrameList: Decodable {
    struct Frame: Decodable { var name: String; var state: [Double] }
    var frames: [Frame]
}

private func differences(_ a: [UInt8], _ b: [UInt8]) -> (mean: Double, max: Int) {
    var sum = 0, worst = 0
    for (x, y) in zip(a, b) {
        let d = abs(Int(x) - Int(y))
        sum += d; worst = max(worst, d)
    }
    return (Double(sum) / Double(a.count), worst)
}

@Suite struct RasterizerTests {
    /// The goal the issue sets for the 84x84 observation: mean absolute difference ≤ 2 levels.
    static let meanLimit84 = 2.0
    static let frames: [FrameList.Frame] = {
        guard let bytes = try? AtomicFile.read(Fixtures.path("gym/frames/frames.json")),
              let list = try? JSONDecoder().decode(FrameList.self, from: Data(bytes)) else { return [] }
        return list.frames
    }()

    @Test func fixturesArePresent() {
        #expect(Self.frames.count >= 6, "Fixtures/gym/frames/frames.json is missing or short")
    }

    @Test func matchesGymnasiumAt84x84() throws {
        let raster = Rasterizer(width: 84, height: 84)
        var worstMean = 0.0, worstMax = 0, sumMean = 0.0
        for f in Self.frames {
            let state = try #require(CartPoleState(f.state))
            let golden = try PNGImage.read(Fixtures.path("gym/frames/\(f.name)_gray84.png"))
            #expect(golden.width == 84 && golden.height == 84)
            let d = differences(raster.render(state), golden.pixels)
            print("84x84  \(f.name): mean \(String(format: "%.3f", d.mean)), max \(d.max)")
            #expect(d.mean <= Self.meanLimit84, "\(f.name): mean |Δ| \(d.mean) > \(Self.meanLimit84)")
            worstMean = max(worstMean, d.mean); worstMax = max(worstMax, d.max); sumMean += d.mean
        }
        // Measured 0.045 on average when written; guard against regressions well below the goal.
        #expect(sumMean / Double(max(1, Self.frames.count)) <= 0.25)
        print("84x84 overall: mean of means \(String(format: "%.3f", sumMean / Double(max(1, Self.frames.count)))), worst mean \(String(format: "%.3f", worstMean)), worst max \(worstMax)")
    }

    @Test func matchesGymnasiumAt600x400() throws {
        let raster = Rasterizer(width: 600, height: 400)
        for f in Self.frames {
            let state = try #require(CartPoleState(f.state))
            let golden = try PNGImage.read(Fixtures.path("gym/frames/\(f.name)_gray600x400.png"))
            let d = differences(raster.render(state), golden.pixels)
            print("600x400 \(f.name): mean \(String(format: "%.3f", d.mean)), max \(d.max)")
            // At full size only edge pixels can differ (anti-aliasing conventions).
            #expect(d.mean <= 1.0, "\(f.name): mean |Δ| \(d.mean) at 600x400")
        }
    }

    @Test func drawsTheSceneWhereGymnasiumDoes() {
        let frame = Rasterizer(width: 600, height: 400).render(CartPoleState(x: 0, xDot: 0, theta: 0, thetaDot: 0))
        let at = { (x: Int, y: Int) in frame[y * 600 + x] }
        #expect(at(10, 299) == 0, "track line on row 299")
        #expect(at(10, 298) == 255 && at(10, 300) == 255)
        #expect(at(290, 300) == 0, "cart body")
        #expect(at(300, 250) == 161, "pole gray BT.601(202,152,101)")
        #expect(at(300, 292) == 139, "axle gray BT.601(129,132,203)")
        #expect(at(300, 100) == 255, "sky above the pole")
    }

    @Test func everySizeRendersAndIsDeterministic() {
        for (w, h) in [(8, 8), (84, 84), (13, 97), (160, 120)] {
            let r = Rasterizer(width: w, height: h)
            let s = CartPoleState(x: 0.3, xDot: 0, theta: -0.1, thetaDot: 0)
            let a = r.render(s), b = r.render(s)
            #expect(a == b)
            #expect(a.contains(where: { $0 < 200 }), "\(w)x\(h): the cart must be visible")
        }
    }
}
