// libFuzzer target: the safetensors header parser must return or throw SafetensorsError,
// never crash, on any bytes. Built and run by Scripts/fuzz/fuzz.sh.
import SquireModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensorsHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The first byte picks the data-section size, so offsets are checked against many sizes.
    let dataSize = size > 0 ? Int(bytes[0]) * 4 : 0
    let header = size > 0 ? UnsafeRawBufferPointer(rebasing: bytes[1...]) : bytes
    do {
        let parsed = try SafetensorsHeader.parse(header, dataSize: dataSize, file: "fuzz")
        let covered = parsed.entries.reduce(0) { $0 + $1.byteRange.count }
        if covered != dataSize { fatalError("accepted a header that covers \(covered) of \(dataSize) bytes") }
    } catch is SafetensorsError {
    } catch {
        fatalError("untyped error \(error)")
    }
    return 0
}
