// config.json: reading it back as strictly as the options are read (every field present, of its
// type, known, in range), and the split of its fields into those that define a run and those a
// resumed run may change.
import Foundation

/// Whether a JSON number is a whole number in `range` (by default one an Int holds): what an
/// integer field of config.json or summary.json must be.
func isWholeJSONNumber(_ number: NSNumber, in range: Range<Double> = -9.2e18..<9.2e18) -> Bool {
    let d = number.doubleValue
    return d.isFinite && d == d.rounded() && range.contains(d)
}

/// Whether a value from JSONSerialization is a JSON true or false. NSNumber bridges a JSON number
/// 0 or 1 to Bool as well, so the number's own type decides.
public func isJSONBoolean(_ value: Any?) -> Bool {
    (value as? NSNumber).map { type(of: $0) == type(of: NSNumber(value: true)) } ?? false
}

extension TrainingConfig {
    /// The fields config.json holds (those `TrainingConfig` encodes).
    static let fieldNames: Set<String> = {
        guard let data = try? JSONEncoder().encode(TrainingConfig()),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return Set(object.keys)
    }()

    /// The fields (config.json names) whose values differ between two configurations.
    public func fieldsDiffering(from other: TrainingConfig) -> [String] {
        guard let a = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any],
              let b = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(other)) as? [String: Any] else { return [] }
        return a.keys.sorted().filter { key in "\(a[key] ?? "")" != "\(b[key] ?? "")" }
    }

    /// Decodes and validates config.json. Keys added after a file was written take the values
    /// that run had; a missing, unknown, mistyped or out-of-range field is a `ConfigError` naming
    /// `path`, the field, its option, the value found and what was expected.
    public static func decode(json bytes: [UInt8], path: String = "config.json") throws -> TrainingConfig {
        func fail(_ problem: String) -> ConfigError { ConfigError(message: "\(path): \(problem)") }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw fail("not valid JSON (\(bytes.isEmpty ? "the file is empty" : "\(bytes.count) bytes that do not parse")); expected the JSON object pixel-dqn train writes")
        }
        guard var object = parsed as? [String: Any] else {
            throw fail("expected a JSON object of training options, found \(parsed is [Any] ? "a list" : "another JSON value")")
        }
        if let unknown = object.keys.sorted().first(where: { !fieldNames.contains($0) }) {
            throw fail("unknown field \"\(unknown)\"; expected only the fields pixel-dqn train writes (\(fieldNames.sorted().joined(separator: ", ")))")
        }
        for (key, value) in valuesBeforeOptionsExisted where object[key] == nil { object[key] = value }
        if let missing = fieldNames.sorted().first(where: { object[$0] == nil }) {
            throw fail("field \"\(missing)\" (\(optionNames[missing] ?? missing)) is missing")
        }
        // JSONDecoder would read true as 1 and 1 as true on some platforms: check the JSON types first.
        for (key, value) in object {
            let isBool = isJSONBoolean(value)
            let expected = expectedType(of: key)
            let found = value is String ? "a string" : isBool ? "true/false" : value is NSNumber ? "a number"
                : value is NSNull ? "null" : "a list or object"
            let ok: Bool
            switch expected {
            case "true or false": ok = isBool
            case "a string": ok = value is String
            default: ok = value is NSNumber && !isBool
            }
            if !ok { throw fail("field \"\(key)\" (\(optionNames[key] ?? key)) is \(found), expected \(expected)") }
            // Integers are checked here, where the field and value are known (JSONDecoder's error
            // for 1.5 or 1e30 names neither).
            if expected.hasPrefix("an integer"), let number = value as? NSNumber {
                let fits = key == "seed" ? isWholeJSONNumber(number, in: 0..<18446744073709551616.0) : isWholeJSONNumber(number)
                if !fits {
                    throw fail("field \"\(key)\" (\(optionNames[key] ?? key)) is \(number), expected \(expected)\(key == "seed" ? "" : " (within the option's range)")")
                }
            }
        }
        if let version = object["version"] as? String, !isVersion(version) {
            throw fail("field \"version\" is \"\(version)\", expected the pixel-dqn version that wrote it, such as \"\(pixelDQNVersion)\"")
        }
        let config: TrainingConfig
        do {
            config = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: object))
        } catch let error as DecodingError {
            throw fail(describe(error, object))
        }
        do { try config.validate(source: .file(path)) } catch let e as ConfigError { throw e }
        return config
    }

    /// Whether `text` is a version number: MAJOR.MINOR.PATCH, each a decimal number.
    private static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// A decoding error as one line naming the field, the value and what was expected.
    private static func describe(_ error: DecodingError, _ object: [String: Any]) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return "cannot be read as a pixel-dqn config"
        }
        guard let key = context.codingPath.first?.stringValue else { return "cannot be read as a pixel-dqn config" }
        let value = object[key].map { "\($0)" } ?? "missing"
        let choices: [String: [String]] = [
            "env": EnvironmentID.classic.map(\.rawValue) + ["<Game>NoFrameskip-v4", "ALE/<Game>-v5"], "observation": ObservationKind.allCases.map(\.rawValue),
            "network": ["small", "nature", "mlp"], "optimizer": OptimizerKind.allCases.map(\.rawValue),
            "loss": ["huber", "mse"], "augment": AugmentKind.allCases.map(\.rawValue),
            "learningRateSchedule": LearningRateSchedule.allCases.map(\.rawValue),
        ]
        let expected = choices[key].map { "one of \($0.joined(separator: ", "))" } ?? expectedType(of: key)
        return "field \"\(key)\" (\(optionNames[key] ?? key)) is \(value), expected \(expected)"
    }
}
