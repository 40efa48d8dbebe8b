import ArgumentParser
import Foundation
import Squire

/// `--lora rank=8,alpha=16,targets=query,value[,dropout=0.1][,rslora]`: a LoRA configuration
/// on one line. Names after `targets=` up to the next `key=value` are all targets; unnamed
/// settings default to rank 8, alpha 16, dropout 0.1 on query and value.
enum LoRASpecification {
    static func parse(_ argument: String) throws -> LoRAConfiguration {
        var configuration = LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.1, targetModules: [])
        var readingTargets = false
        for item in argument.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1 {
                if item == "rslora" {
                    configuration.rankStabilized = true
                    readingTargets = false
                    continue
                }
                guard readingTargets, !item.isEmpty else { throw ValidationError("\(item) is not key=value") }
                configuration.targetModules.append(item)
                continue
            }
            readingTargets = false
            switch parts[0] {
            case "rank", "r":
                guard let value = Int(parts[1]) else { throw ValidationError("rank takes an integer") }
                configuration.rank = value
            case "alpha":
                guard let value = Double(parts[1]) else { throw ValidationError("alpha takes a number") }
                configuration.alpha = value
            case "dropout":
                guard let value = Float(parts[1]) else { throw ValidationError("dropout takes a number") }
                configuration.dropout = value
            case "targets":
                readingTargets = true
                configuration.targetModules = parts[1].isEmpty ? [] : [parts[1]]
            default:
                throw ValidationError("unknown LoRA setting \(parts[0])")
            }
        }
        if configuration.targetModules.isEmpty { configuration.targetModules = ["query", "value"] }
        try configuration.validate()
        return configuration
    }

    static var usage: String {
        "rank=R,alpha=A,targets=NAME[,NAME…][,dropout=P][,rslora] — e.g. rank=8,alpha=16,targets=query,value (targets: query, key, value, attention.output.dense, intermediate.dense, output.dense)"
    }
}
