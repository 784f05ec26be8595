// TensorBoard's `Event` messages, encoded field by field (ProtobufWriter), and TFRecord framing.
// Field numbers are those of tensorboard/compat/proto/event.proto, summary.proto, tensor.proto,
// tensor_shape.proto and types.proto; only the fields pixel-dqn writes are named here.

/// Builds the encoded `tensorboard.Event` messages of pixel-dqn's event files.
public enum TensorBoardEvent {
    // Event
    static let wallTimeField = 1, stepField = 2, fileVersionField = 3, summaryField = 5, sessionLogField = 7
    // Summary, Summary.Value
    static let valueField = 1
    static let tagField = 1, simpleValueField = 2, tensorField = 8, metadataField = 9
    // SummaryMetadata, SummaryMetadata.PluginData
    static let pluginDataField = 1, pluginNameField = 1
    // TensorProto, TensorShapeProto, TensorShapeProto.Dim
    static let dtypeField = 1, tensorShapeField = 2, stringValField = 8, dimField = 2, dimSizeField = 1
    /// DataType.DT_STRING.
    static let stringDataType: Int64 = 7
    // SessionLog
    static let statusField = 1
    /// SessionLog.SessionStatus.START.
    static let startStatus: Int64 = 1

    /// The version string of the first event; "brain.Event:2" makes readers treat a SessionLog
    /// START as a restart (see `sessionStart`).
    public static let fileVersion = "brain.Event:2"

    private static func event(wallTime: Double, step: Int, _ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        w.double(wallTimeField, wallTime)
        w.int(stepField, Int64(step))
        body(&w)
        return w.bytes
    }

    /// The first event of every file: wall time and `file_version`.
    public static func fileVersion(wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: 0) { $0.string(fileVersionField, fileVersion) }
    }

    /// One `Summary` of scalars (`Summary.Value.simple_value`, float32) at `step`.
    public static func scalars(_ values: [(tag: String, value: Double)], step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(summaryField) { summary in
                for (tag, value) in values {
                    summary.message(valueField) { v in
                        v.string(tagField, tag)
                        v.float(simpleValueField, Float(value))
                    }
                }
            }
        }
    }

    /// A text summary as TensorBoard's text plugin reads it (and PyTorch's `add_text` writes it):
    /// metadata plugin_data.plugin_name "text" (its content, TextPluginData version 0, encodes to
    /// no bytes) and a DT_STRING tensor of shape [1] holding the UTF-8 text, which the plugin
    /// renders as Markdown.
    public static func text(tag: String, _ text: String, step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(summaryField) { summary in
                summary.message(valueField) { v in
                    v.string(tagField, tag)
                    v.message(metadataField) { m in
                        m.message(pluginDataField) { $0.string(pluginNameField, "text") }
                    }
                    v.message(tensorField) { t in
                        t.int(dtypeField, stringDataType)
                        t.message(tensorShapeField) { shape in
                            shape.message(dimField) { $0.int(dimSizeField, 1) }
                        }
                        t.string(stringValField, text)
                    }
                }
            }
        }
    }

    /// A SessionLog START at `step`: a restart from a checkpoint. TensorBoard's readers then drop
    /// every point already read at this step or later (EventAccumulator's purge for file_version
    /// 2), so the steps a resumed run plays again are not shown twice.
    public static func sessionStart(step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(sessionLogField) { $0.int(statusField, startStatus) }
        }
    }
}

/// TFRecord framing, as TensorFlow's record writer lays records out.
public enum TFRecord {
    /// [length: UInt64 LE][masked CRC-32C of those 8 bytes: UInt32 LE][data][masked CRC-32C of the data: UInt32 LE].
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        out += length
        out += littleEndianBytes(CRC32C.mask(CRC32C.checksum(length)))
        out += data
        out += littleEndianBytes(CRC32C.mask(CRC32C.checksum(data)))
        return out
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
