// The one error type of DQNNumerics' I/O edge (safetensors files and checkpoints). Every message
// names the file, the tensor or field, and what was expected versus found.

/// A checkpoint or tensor file could not be read, written or matched to a network.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file concerned (path as given).
    public let file: String
    /// What went wrong, naming the tensor or field and expected vs found values.
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file; self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
