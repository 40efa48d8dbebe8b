// Interleaved comparison of Tensor.matmul with a raw cblas_sgemm call, shape by shape.
//
// Sequential benchmarks on a shared 2-core machine drift by 10-35% between runs, more
// than the overhead being measured. Here every round times a block of Tensor calls and a
// block of raw calls back to back (alternating which goes first), and the figure is the
// median over rounds of the paired ratio raw time / Tensor time: 1.0 means no overhead.
//
// Run: swift run -c release MatmulComparison   (from Benchmarks/)
import CBenchmarkBLAS
import Foundation
import SquireTensor

let shapes: [(m: Int, k: Int, n: Int)] =
    [32, 64, 128, 256, 512].flatMap { m in [(m, 384, 384), (m, 384, 1536)] } + [(1024, 1024, 1024)]
let rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? 41

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

print("| shape | Tensor.matmul median (μs) | raw sgemm median (μs) | GFLOP/s via Tensor | paired raw/Tensor: median [p10, p90] |")
print("| --- | ---: | ---: | ---: | ---: |")
let clock = ContinuousClock()
for shape in shapes {
    var generator = SeededGenerator(seed: 1)
    let a = try Tensor.uniform([shape.m, shape.k], in: -1...1, using: &generator)
    let w = try Tensor.uniform([shape.n, shape.k], in: -1...1, using: &generator)
    var c = [Float](repeating: 0, count: shape.m * shape.n)
    let flops = 2.0 * Double(shape.m * shape.k * shape.n)
    // Enough calls per block for about 20 ms at 120 GFLOP/s.
    let calls = max(1, Int(0.02 * 120e9 / flops))

    func tensorBlock() throws -> Double {
        var sink: Float = 0
        let time = try clock.measure {
            for _ in 0..<calls { sink += try Tensor.matmul(a, w, transposeB: true).scalars[0] }
        }
        if sink.isNaN { print("") }
        return seconds(time) / Double(calls)
    }
    func rawBlock() -> Double {
        let time = clock.measure {
            a.withUnsafeBufferPointer { lhs in
                w.withUnsafeBufferPointer { rhs in
                    c.withUnsafeMutableBufferPointer { out in
                        for _ in 0..<calls {
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(shape.m), Int32(shape.n), Int32(shape.k), 1,
                                lhs.baseAddress, Int32(shape.k), rhs.baseAddress, Int32(shape.k), 0, out.baseAddress, Int32(shape.n))
                        }
                    }
                }
            }
        }
        return seconds(time) / Double(calls)
    }

    _ = try tensorBlock()
    _ = rawBlock()
    var tensorTimes: [Double] = [], rawTimes: [Double] = [], ratios: [Double] = []
    for round in 0..<rounds {
        let (t, r): (Double, Double)
        if round % 2 == 0 {
            t = try tensorBlock()
            r = rawBlock()
        } else {
            r = rawBlock()
            t = try tensorBlock()
        }
        tensorTimes.append(t)
        rawTimes.append(r)
        ratios.append(r / t)
    }
    let sorted = ratios.sorted()
    print(String(
        format: "| M=%d K=%d N=%d | %.1f | %.1f | %.0f | %.3f [%.3f, %.3f] |",
        shape.m, shape.k, shape.n, median(tensorTimes) * 1e6, median(rawTimes) * 1e6, flops / median(tensorTimes) / 1e9,
        median(ratios), sorted[rounds / 10], sorted[rounds * 9 / 10]))
}
