import Benchmark
import CBenchmarkBLAS
import SquireTensor

/// Encoder-shaped products: M tokens × K = 384 into N = 384 (attention projections) or
/// 1536 (feed-forward), with the weight stored [N, K] as checkpoints store it; and 1024³.
let matmulShapes: [(m: Int, k: Int, n: Int)] =
    [32, 64, 128, 256, 512].flatMap { m in [(m, 384, 384), (m, 384, 1536)] } + [(1024, 1024, 1024)]

func pad(_ value: Int) -> String {
    String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 2_000,
        // Medians drift 10–35% between sittings on these shared 2-core machines: flag only more.
        thresholds: [.wallClock: .init(relative: [.p50: 35]), .throughput: .init(relative: [.p50: 35])]
    )

    for shape in matmulShapes {
        // Zero-padded so the pairs sort, and so run, next to each other.
        let name = "M=\(pad(shape.m)) K=\(shape.k) N=\(shape.n)"
        var generator = SeededGenerator(seed: 1)
        let a = try! Tensor.uniform([shape.m, shape.k], in: -1...1, using: &generator)
        let w = try! Tensor.uniform([shape.n, shape.k], in: -1...1, using: &generator)

        Benchmark("matmul \(name) Tensor") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Tensor.matmul(a, w, transposeB: true))
            }
        }

        // The same product straight through cblas_sgemm into a buffer allocated once:
        // the ceiling the Tensor path is measured against.
        Benchmark("matmul \(name) raw sgemm") { benchmark in
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            a.withUnsafeBufferPointer { lhs in
                w.withUnsafeBufferPointer { rhs in
                    c.withUnsafeMutableBufferPointer { out in
                        for _ in benchmark.scaledIterations {
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(shape.m), Int32(shape.n), Int32(shape.k),
                                1,
                                lhs.baseAddress, Int32(shape.k), rhs.baseAddress, Int32(shape.k), 0, out.baseAddress,
                                Int32(shape.n))
                        }
                    }
                }
            }
            blackHole(c)
        }
    }

    for width in [384, 1536] {
        var generator = SeededGenerator(seed: 2)
        let x = try! Tensor.normal([512, width], using: &generator)
        let gamma = try! Tensor.normal([width], mean: 1, standardDeviation: 0.1, using: &generator)
        let beta = try! Tensor.normal([width], standardDeviation: 0.1, using: &generator)
        Benchmark("layerNorm [512, \(width)]") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try x.layerNormalized(gamma: gamma, beta: beta, epsilon: 1e-12))
            }
        }
        Benchmark("gelu [512, \(width)]") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(x.gelu()) }
        }
        Benchmark("softmax [512, \(width)]") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try x.softmax()) }
        }
    }
}
