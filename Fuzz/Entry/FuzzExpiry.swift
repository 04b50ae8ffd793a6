// libFuzzer entry point; linked by scripts/fuzz with Fuzz/Harness/FuzzSupport.swift and the harness it calls.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    do { try ExpiryHarness.check(bytes) } catch { fatalError("fuzz invariant: \(error)") }
    return 0
}
