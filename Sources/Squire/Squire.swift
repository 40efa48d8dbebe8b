// `import Squire` brings in every public module, so an agent codebase needs one import for
// the whole loop: train, evaluate, gate, ship, watch drift, retrain or roll back. A codebase
// that wants only part of it (ship gates, test doubles) imports that module alone and links
// no BLAS or HTTP stack.
@_exported public import SquireCore
@_exported public import SquireData
@_exported public import SquireDrift
@_exported public import SquireEval
@_exported public import SquireFrontier
@_exported public import SquireLoRA
@_exported public import SquireModels
@_exported public import SquireQuantization
@_exported public import SquireRouting
@_exported public import SquireTensor
@_exported public import SquireTesting
