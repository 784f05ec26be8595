// A small JSON value that keeps its keys in the order written, and its text: sweep.json is
// read by people as well as programs, so related fields stay together and each run or curve
// point is one line. Numbers print in Swift's shortest round-trip form; a non-finite one is null.
import Foundation

public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.text == b.text }

    /// `value` as a number, or null when it is nil.
    static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// The value as indented text, ending in a newline.
    public var text: String { render(indent: "", inArray: false) + "\n" }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// A scalar or an array of scalars: printed on one line.
    private var isFlat: Bool {
        if case .array(let a) = self { return a.allSatisfy(\.isScalar) }
        return isScalar
    }

    private func render(indent: String, inArray: Bool) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "\(i)"
        case .unsigned(let u): return "\(u)"
        case .number(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return JSONValue.quote(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            if isFlat { return "[" + a.map { $0.render(indent: "", inArray: true) }.joined(separator: ", ") + "]" }
            let inner = indent + "  "
            return "[\n" + a.map { inner + $0.render(indent: inner, inArray: true) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            // An object inside an array, or one holding only flat values, is one line.
            if inArray || o.allSatisfy({ $0.1.isFlat }) {
                return "{" + o.map { JSONValue.quote($0.0) + ": " + $0.1.render(indent: "", inArray: true) }.joined(separator: ", ") + "}"
            }
            let inner = indent + "  "
            return "{\n" + o.map { inner + JSONValue.quote($0.0) + ": " + $0.1.render(indent: inner, inArray: false) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
