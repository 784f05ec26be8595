// A sum tree over the replay ring's slots, for proportional prioritized replay (Schaul et al.
// 2016): each leaf holds a slot's priority, each inner node the sum of its children, so drawing a
// slot with probability p_i / Σp is a walk from the root (O(log n)), and so is a priority change.

/// Priorities of `capacity` leaves in a complete binary tree stored in one array (node 1 is the
/// root; node i has children 2i and 2i + 1; leaves start at `leafStart`, a power of two).
/// Sums are Doubles: a leaf change updates its ancestors by recomputing them from their
/// children, so no rounding error builds up over millions of updates.
public struct SumTree: Sendable {
    public let capacity: Int
    let leafStart: Int
    var nodes: [Double]

    /// - Precondition: capacity ≥ 1 (the replay memory's, validated by the configuration).
    public init(capacity: Int) {
        precondition(capacity >= 1, "SumTree: capacity must be positive, got \(capacity)")
        self.capacity = capacity
        var start = 1
        while start < capacity { start *= 2 }
        leafStart = start
        nodes = [Double](repeating: 0, count: 2 * start)
    }

    /// Σ of all priorities.
    public var total: Double { nodes[1] }

    /// The priority of leaf `index`.
    public subscript(index: Int) -> Double {
        nodes[leafStart + index]
    }

    /// Sets leaf `index` to `priority` (≥ 0, finite) and refreshes its ancestors.
    public mutating func set(_ index: Int, priority: Double) {
        precondition(index >= 0 && index < capacity, "SumTree.set: index \(index) outside 0..<\(capacity)")
        precondition(priority >= 0 && priority.isFinite, "SumTree.set: priority \(priority) must be finite and ≥ 0")
        var node = leafStart + index
        nodes[node] = priority
        node /= 2
        while node >= 1 {
            nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
            node /= 2
        }
    }

    /// The leaf where the running sum of priorities (in index order) first exceeds `mass`, for
    /// `mass` in [0, total): leaf i is found for mass in [Σ_{j<i} p_j, Σ_{j≤i} p_j). A leaf of
    /// priority 0 is never returned while total > 0 (mass at or past the total lands on the last
    /// leaf with a positive priority).
    public func find(mass: Double) -> Int {
        var node = 1
        var rest = mass
        while node < leafStart {
            let left = 2 * node
            // Go right when the mass lies past the left subtree, or when the left one is empty.
            if rest >= nodes[left] && nodes[left + 1] > 0 {
                rest -= nodes[left]
                node = left + 1
            } else if nodes[left] > 0 {
                node = left
            } else {
                node = left + 1
            }
        }
        return node - leafStart
    }

    /// Every leaf, in index order (for checkpoints).
    public var leaves: [Double] { Array(nodes[leafStart..<(leafStart + capacity)]) }

    /// Rebuilds the tree from `leaves` (as `leaves` returned them).
    public mutating func load(leaves values: [Double]) {
        precondition(values.count == capacity, "SumTree.load: \(values.count) leaves, expected \(capacity)")
        for i in nodes.indices { nodes[i] = 0 }
        for (i, v) in values.enumerated() { nodes[leafStart + i] = v }
        var node = leafStart - 1
        while node >= 1 {
            nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
            node -= 1
        }
    }
}
