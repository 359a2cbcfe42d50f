import CAllocationCounter
import NIOCore
import Testing

/// Heap allocations counted over a measured run (see `allocations(of:iterations:warmUp:)`).
struct AllocationFigure: CustomStringConvertible {
    var iterations: Int
    var allocations: Int
    var frees: Int

    var perIteration: Double { Double(allocations) / Double(iterations) }

    var description: String {
        "\(allocations) allocations, \(frees) frees in \(iterations) iterations (\(perIteration) per iteration)"
    }
}

enum AllocationCounterError: Error, CustomStringConvertible {
    case hookInactive(allocations: Int, frees: Int)

    var description: String {
        switch self {
        case .hookInactive(let allocations, let frees):
            "the malloc hook is not active (a ByteBuffer counted \(allocations) allocations, \(frees) frees): "
                + "CAllocationCounter's malloc and free do not replace glibc's in this process"
        }
    }
}

/// Runs `body` `warmUp` times unmeasured (lazy metadata, caches, buffers reaching their steady
/// size), then `iterations` times counting every heap allocation the calling thread makes.
///
/// Deterministic: a count, never a time. Throws if the hook is not counting, so that a broken hook
/// fails the gates instead of reporting zero. `body` must not hop threads; allocations on other
/// threads are not counted.
func allocations(
    of body: () throws -> Void, iterations: Int = 10_000, warmUp: Int = 1_000
) throws -> AllocationFigure {
    try requireActiveHook()
    for _ in 0..<warmUp { try body() }
    allocation_counter_start()
    defer { allocation_counter_stop() }
    for _ in 0..<iterations { try body() }
    allocation_counter_stop()
    return AllocationFigure(
        iterations: iterations, allocations: allocation_counter_allocations(), frees: allocation_counter_frees())
}

/// The ceiling for the configuration being run. `make test` (and so CI) runs the debug build, where
/// unspecialized generic code allocates coroutine frames that release builds do not; the release
/// ceilings hold for `swift test -c release -Xswiftc -enable-testing` (see README, "Allocation gates").
func ceiling(debug: Double, release: Double) -> Double {
    #if DEBUG
    debug
    #else
    release
    #endif
}

/// A ByteBuffer takes at least one block (its bytes, through NIO's allocator, and its storage
/// object, through the Swift runtime) and gives it back when dropped: both must be counted.
func requireActiveHook() throws {
    allocation_counter_start()
    allocateAndDropBuffer()
    allocation_counter_stop()
    let (allocations, frees) = (allocation_counter_allocations(), allocation_counter_frees())
    guard allocations >= 1, frees >= 1 else {
        throw AllocationCounterError.hookInactive(allocations: allocations, frees: frees)
    }
}

@inline(never)
private func allocateAndDropBuffer() {
    var buffer = ByteBufferAllocator().buffer(capacity: 256)
    buffer.writeInteger(UInt64(0x5354_554e))
    precondition(buffer.readableBytes == 8)
}

/// All allocation gates form one serialized suite: the counters are process-wide, so only one
/// gate may measure at a time (other suites may run meanwhile; their threads are not counted).
@Suite(.serialized)
struct AllocationTests {
    @Test("the malloc hook counts allocations made by the Swift runtime and NIO")
    func hookIsActive() throws {
        try requireActiveHook()
        let figure = try allocations(of: { allocateAndDropBuffer() }, iterations: 100, warmUp: 1)
        #expect(figure.allocations >= 100, "\(figure)")
        #expect(figure.frees == figure.allocations, "\(figure)")
    }

    @Test("a run that allocates nothing counts nothing")
    func emptyRunCountsNothing() throws {
        var sum = 0
        let figure = try allocations(of: { sum &+= 1 }, iterations: 1_000, warmUp: 1)
        #expect(figure.allocations == 0, "\(figure)")
        #expect(sum == 1_001)
    }
}
