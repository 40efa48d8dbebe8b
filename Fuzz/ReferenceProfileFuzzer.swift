// libFuzzer target: `ReferenceProfile(contentsOf:)`, the reader of the drift reference a
// model ships with (`squire profile` writes it; `squire drift` and the closed loop read it,
// possibly long after and from another machine). The profile's numbers go straight into
// the drift statistics, so loading alone proves little: each profile read also judges a
// stream. What must hold, besides never crashing: a file is read or refused with
// DriftFileError; a profile read encodes to JSON that reads back as the same profile; and a
// monitor holding it judges two windows of observations in its labels (and, when it has
// an embedding sketch, its embedding width) into decisions, or refuses them with
// DriftInputError — with estimates inside 0…1. Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireDrift

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReferenceProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "profile.json")
    let profile: ReferenceProfile
    do {
        profile = try ReferenceProfile(contentsOf: URL(fileURLWithPath: path))
    } catch is DriftFileError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    do {
        let reread = try JSONDecoder().decode(ReferenceProfile.self, from: try JSONEncoder().encode(profile))
        if reread != profile { fatalError("the profile changed on rereading: \(profile) became \(reread)") }
    } catch {
        fatalError("the profile's own JSON cannot be read back: \(error)")
    }
    // Wider embeddings than a fuzz input could sketch only slow the run down.
    let width = profile.embeddingSketch.map { min(max($0.inputDimension, 0), 64) }
    let stream = DriftFixture.observations(count: 40, labels: profile.labels, embeddingWidth: width)
    // Windows of 20 are judged against bands drawn for that size: 20 chunks exercise the
    // drawing as well as the default 1,000 do, at a fiftieth of the time (an unoptimized CI
    // build spent five minutes replaying the corpus with 1,000).
    var judged = profile
    judged.bandChunks = min(profile.bandChunks ?? 20, 20)
    do {
        var monitor = try DriftMonitor(profile: judged, windowing: .count(20))
        monitor.permutations = 0
        for decision in try monitor.consume(stream) {
            let window = decision.window
            if window.count != 20 || !(0...1).contains(window.estimatedAccuracy)
                || !(window.estimateLower <= window.estimateUpper)
            {
                fatalError("a window judged out of range: \(window)")
            }
        }
    } catch is DriftInputError, is DriftMonitor.StreamError {
    } catch {
        fatalError("untyped error \(error)")
    }
    return 0
}
