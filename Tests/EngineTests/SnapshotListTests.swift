import Foundation
import Testing
@testable import Engine

/// A scan's credentials, kept in the arrays its tasks filled, read as one collection in order.
@Suite("Snapshot list: the scan tasks' arrays as one collection, appended without copies")
struct SnapshotListTests {
    private static func snapshot(_ number: Int) -> CredentialSnapshot {
        var st = stat()
        st.st_mode = S_IFREG | 0o600
        st.st_ino = UInt(number)
        return CredentialSnapshot(id: CredentialID(user: "user\(number)", token: TokenName(service: "scitokens")),
                                  seed: FileStatus(st), access: nil, directory: nil)
    }

    @Test("appends of single snapshots and of lists read back in order, by position and by iteration")
    func order() {
        var list = SnapshotList()
        #expect(list.isEmpty)
        list.append(Self.snapshot(0))
        var other = SnapshotList((1..<5).map(Self.snapshot))
        other.append(Self.snapshot(5))
        list.append(contentsOf: other)
        list.append(contentsOf: [])
        list.append(Self.snapshot(6))
        list.append(contentsOf: SnapshotList((7..<10).map(Self.snapshot)))
        let expected = (0..<10).map { "user\($0)" }
        #expect(list.count == 10)
        #expect(list.map(\.id.user) == expected, "iteration")
        #expect(list.indices.map { list[$0].id.user } == expected, "positions")
        #expect(list.reversed().map(\.id.user) == expected.reversed(), "positions from the end")
        #expect(list.lazy.map(\.seed.inode).reduce(0, +) == 45)
    }
}
