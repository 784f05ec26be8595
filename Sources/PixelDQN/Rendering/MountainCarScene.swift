// The MountainCar scene as Gymnasium draws it into its 600x400 `rgb_array` frame
// (mountain_car.py's render): the hill curve, the car body rotated by cos(3·position), its two
// wheels, and the flag pole and flag at the goal.
import Foundation

/// Gymnasium's render geometry for MountainCar, in the 600x400 image's pixels (y down).
public enum MountainCarScene {
    public static let sceneWidth = 600.0
    public static let sceneHeight = 400.0
    /// Pixels per unit of position: the 1.8 of the track span the width.
    public static let scale = sceneWidth / (MountainCar.maxPosition - MountainCar.minPosition)
    public static let carWidth = 40.0
    public static let carHeight = 20.0
    public static let clearance = 10.0
    /// int(carHeight / 2.5) = 8 px.
    public static let wheelRadius = Double(Int(carHeight / 2.5))
    /// The hill is drawn through 100 evenly spaced positions (NumPy's linspace).
    public static let hillPoints = 100

    public static let backgroundRGB: [UInt8] = [255, 255, 255]
    public static let inkRGB: [UInt8] = [0, 0, 0]
    public static let wheelRGB: [UInt8] = [128, 128, 128]
    public static let flagRGB: [UInt8] = [204, 204, 0]
    /// Paints of the palette: hill, car and flag pole are ink.
    public enum Paint { public static let background = 0, ink = 1, wheel = 2, flag = 3 }

    /// The hill curve, which never moves (the flag is drawn over the car, so it moves with the car's
    /// frame and is drawn per frame).
    public static let layout: SceneLayout = {
        var still = SceneShapes(capacity: hillPoints)
        let (low, high) = (MountainCar.minPosition, MountainCar.maxPosition)
        let step = (high - low) / Double(hillPoints - 1)
        var previous: SIMD2<Double>?
        for i in 0..<hillPoints {
            let x = i == hillPoints - 1 ? high : low + Double(i) * step
            let p = PygameFrame.flip(SIMD2((x - low) * scale, MountainCar.height(x) * scale), height: sceneHeight)
            if let a = previous { still.line(a, p, paint: Paint.ink) }
            previous = p
        }
        return SceneLayout(width: sceneWidth, height: sceneHeight, palette: [backgroundRGB, inkRGB, wheelRGB, flagRGB],
                           background: still)
    }()

    /// The car, its wheels and the flag, in Gymnasium's painter's order.
    public static func draw(_ s: MountainCarState, into shapes: inout SceneShapes) {
        let angle = cos(3 * s.position)
        let c = cos(angle), sn = sin(angle)
        let origin = SIMD2((s.position - MountainCar.minPosition) * scale, clearance + MountainCar.height(s.position) * scale)
        func rotated(_ x: Double, _ y: Double) -> SIMD2<Double> { SIMD2(x * c - y * sn, x * sn + y * c) + origin }
        let d = PygameFrame.dilation
        let q = PygameFrame.gfxdrawRectangle(l: -carWidth / 2, r: carWidth / 2, b: 0, t: carHeight, cos: c, sin: sn,
                                             origin: origin, height: sceneHeight)
        shapes.quad(q.0, q.1, q.2, q.3, paint: Paint.ink)
        func wheel(_ x: Double) {
            let w = rotated(x, 0)
            let centre = PygameFrame.flip(SIMD2(w.x.rounded(.towardZero), w.y.rounded(.towardZero)), height: sceneHeight)
            shapes.circle(centre: centre, radius: wheelRadius + d, paint: Paint.wheel)
        }
        wheel(carWidth / 4)
        wheel(-carWidth / 4)
        // Flag: a one-pixel vertical line from flagy1 to flagy2 (both included) and a triangle.
        let flagX = Double(Int((MountainCar.goalPosition - MountainCar.minPosition) * scale))
        let flagY1 = Double(Int(MountainCar.height(MountainCar.goalPosition) * scale))
        let flagY2 = flagY1 + 50
        shapes.rect(x0: flagX, x1: flagX + 1, y0: sceneHeight - 1 - flagY2, y1: sceneHeight - flagY1, paint: Paint.ink)
        // The triangle (flagx, flagy2), (flagx, flagy2 − 10), (flagx + 25, flagy2 − 5) on integer
        // pixels, both ends included: in continuous image coordinates it spans the columns
        // flagx ... flagx + 25 and the rows of flagy2 ... flagy2 − 10 after the flip.
        let top = sceneHeight - 1 - flagY2, bottom = sceneHeight - (flagY2 - 10)
        shapes.triangle(SIMD2(flagX, top), SIMD2(flagX, bottom), SIMD2(flagX + 26, (top + bottom) / 2), paint: Paint.flag)
    }
}

extension MountainCar {
    public var sceneLayout: SceneLayout { MountainCarScene.layout }
    public func drawScene(_ state: MountainCarState, into shapes: inout SceneShapes) { MountainCarScene.draw(state, into: &shapes) }
}
