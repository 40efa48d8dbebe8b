import ArgumentParser
import Foundation
import Squire

// `squire train`'s recipes: which one the flags name, and training it with their values.
extension TrainCommand {
    /// Each tuning flag given, the recipes it belongs to, and the recipe it names when no
    /// recipe is (nil when it belongs to several equally, as --epochs does).
    var tuningFlags: [(flag: String, recipes: [Recipe], names: Recipe?)] {
        var flags: [(String, [Recipe], Recipe?)] = []
        func add(_ given: Bool, _ flag: String, _ recipes: [Recipe], names: Recipe?) {
            if given { flags.append((flag, recipes, names)) }
        }
        add(inverseRegularization != nil, "--c", [.logistic, .lora, .fewShot], names: .logistic)
        add(inverseRegularizationGrid != nil, "--c-grid", [.logistic, .fewShot], names: .logistic)
        add(balanced, "--balanced", [.logistic, .mlp], names: .logistic)
        add(embeddings != nil, "--embeddings", [.logistic, .mlp], names: .logistic)
        add(weightDecay != nil, "--weight-decay", [.mlp], names: .mlp)
        add(weightDecayGrid != nil, "--weight-decay-grid", [.mlp], names: .mlp)
        add(labelSmoothing != nil, "--label-smoothing", [.mlp, .lora], names: .mlp)
        add(hidden != nil, "--hidden", [.mlp, .lora], names: .mlp)
        add(epochs != nil, "--epochs", [.mlp, .tinyTransformer, .lora], names: nil)
        add(checkpoint != nil, "--checkpoint", [.tinyTransformer, .lora, .fewShot], names: nil)
        add(tuningEpochs != nil, "--tuning-epochs", [.fewShot], names: .fewShot)
        add(tuningLearningRate != nil, "--tuning-learning-rate", [.fewShot], names: .fewShot)
        add(temperature != nil, "--temperature", [.fewShot], names: .fewShot)
        add(labelDescriptions != nil, "--label-descriptions", [.automatic, .fewShot], names: nil)
        return flags
    }

    /// The recipe to run: --recipe, else --lora, else --head, else the one the first tuning
    /// flag that names a recipe names, else the default (auto); every tuning flag given must
    /// belong to it.
    func resolvedRecipe() throws -> Recipe {
        let fromHead: Recipe? = head.map { Recipe(rawValue: $0.rawValue)! }
        if let recipe, let fromHead, fromHead != recipe {
            throw ValidationError(
                "--head \(fromHead.rawValue) names another recipe than --recipe \(recipe.rawValue): use one")
        }
        if let recipe, lora != nil, recipe != .lora {
            throw ValidationError("--lora names the lora recipe, not --recipe \(recipe.rawValue): use one")
        }
        if lora != nil, head != nil {
            throw ValidationError(
                "--lora trains its own classifier (linear, or an MLP with --hidden); leave out --head")
        }
        let resolved: Recipe
        if let named = recipe ?? (lora != nil ? .lora : fromHead) ?? tuningFlags.lazy.compactMap(\.names).first {
            resolved = named
        } else if let (flag, _, _) = tuningFlags.first(where: { !$0.recipes.contains(.automatic) }) {
            throw ValidationError("\(flag) belongs to several recipes; name one with --recipe")
        } else {
            resolved = .automatic
        }
        for (flag, recipes, _) in tuningFlags where !recipes.contains(resolved) {
            throw ValidationError(
                "\(flag) is for --recipe \(recipes.map(\.rawValue).joined(separator: ", ")), not \(resolved.rawValue)")
        }
        return resolved
    }

    /// Trains `recipe` on `training` with the tuning flags given.
    func train(
        _ recipe: Recipe, on training: Dataset, options: TrainingOptions, progress: @escaping (TrainingEvent) -> Void
    ) throws -> TrainedClassifier {
        switch recipe {
        case .automatic:
            return try ClassifierTraining.automatic(on: training, options: options, progress: progress)
        case .fewShot:
            var fewShot = FewShotRecipe()
            if let tuningEpochs {
                if tuningEpochs == 0 {
                    fewShot.tuning = nil
                } else {
                    // Epochs asked for are taken as given, without the recipe's floor of steps.
                    fewShot.tuning?.training.epochs = tuningEpochs
                    fewShot.tuning?.minimumSteps = 0
                }
            }
            if let grid = try Self.grid(inverseRegularizationGrid, name: "--c-grid", allowsZero: false) {
                fewShot.head.inverseRegularizations = grid
            }
            if let tuningLearningRate { fewShot.tuning?.training.learningRate = tuningLearningRate }
            if let temperature { fewShot.tuning?.temperature = temperature }
            if let inverseRegularization { fewShot.head.inverseRegularizations = [inverseRegularization] }
            return try ClassifierTraining.fewShot(fewShot, on: training, options: options, progress: progress)
        case .tinyTransformer:
            var configuration = TinyTransformerClassifier.Configuration()
            if let epochs { configuration.training.epochs = epochs }
            return try ClassifierTraining.tinyTransformer(
                configuration, on: training, options: options, progress: progress)
        case .lora:
            var recipe = LoRAClassifier.Recipe()
            if let lora { recipe.adapter = lora }
            if let epochs { recipe.training.epochs = epochs }
            if let inverseRegularization { recipe.warmStartInverseRegularization = inverseRegularization }
            if hidden != nil || labelSmoothing != nil {
                // An MLP classifier, its settings the frozen MLP head's unless given.
                var mlp = MLPHead.Configuration()
                mlp.hiddenSizes = hiddenSizes
                if let labelSmoothing { mlp.labelSmoothing = Float(labelSmoothing) }
                recipe.mlp = mlp
            }
            return try ClassifierTraining.lora(recipe, on: training, options: options, progress: progress)
        case .logistic, .mlp:
            var recipe = ClassifierRecipe(head: recipe == .mlp ? .mlp : .logistic)
            if let inverseRegularization { recipe.inverseRegularizations = [inverseRegularization] }
            if let grid = try Self.grid(inverseRegularizationGrid, name: "--c-grid", allowsZero: false) {
                recipe.inverseRegularizations = grid
            }
            if let weightDecay { recipe.weightDecays = [weightDecay] }
            if let grid = try Self.grid(weightDecayGrid, name: "--weight-decay-grid", allowsZero: true) {
                recipe.weightDecays = grid
            }
            recipe.classWeighting = balanced ? .balanced : .uniform
            recipe.mlp.hiddenSizes = hiddenSizes
            recipe.mlp.training.epochs = epochs ?? 30
            if let labelSmoothing { recipe.labelSmoothings = [labelSmoothing] }
            let features = try embeddings.map { path in
                let rows = try EmbeddedText.vectors(from: path, for: training.examples.map(\.text))
                return try Tensor(
                    shape: [rows.count, rows.first?.count ?? 0], scalars: rows.flatMap { $0.map(Float.init) })
            }
            return try ClassifierTraining.frozenHead(
                recipe, on: training, embeddings: features, options: options, progress: progress)
        }
    }
}
