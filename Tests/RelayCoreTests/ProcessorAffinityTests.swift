import Testing
@testable import RelayCore

@Suite struct ProcessorAffinityTests {
    @Test func countsCPULists() {
        #expect(ProcessorAffinity.count(list: "0") == 1)
        #expect(ProcessorAffinity.count(list: "0-1") == 2)
        #expect(ProcessorAffinity.count(list: " 0-3,8,10-11") == 7)
        #expect(ProcessorAffinity.count(list: "x") == nil)
        #expect(ProcessorAffinity.count(list: "3-1") == nil)
        #expect(ProcessorAffinity.usableCoreCount >= 1)
    }
}
