import Basics
import Foundation
import Testing

@testable import Results

@Suite("Atomic results writing")
struct ResultsWriterTests {
    /// A fresh folder for one test, removed when `body` returns.
    func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("results-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.path)
    }

    func contents(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test("writing replaces the target and leaves no temporary file")
    func replacesTarget() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/report.json"
            try Data("old".utf8).write(to: URL(fileURLWithPath: path))
            let document = ResultsEncodingTests.sampleDocument()
            try ResultsWriter.write(document, to: path, masker: SecretMasker())
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(Array(written) == ResultsWriter.encode(document, masker: SecretMasker()))
            #expect(try contents(folder) == ["report.json"])
        }
    }

    @Test("missing parent folders are created")
    func createsParents() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/results/nested/report.json"
            try ResultsWriter.writeAtomically(Array("{}\n".utf8), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data("{}\n".utf8))
            #expect(try contents(folder + "/results/nested") == ["report.json"])
        }
    }

    @Test("the written file has mode 0644 less the umask")
    func fileMode() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/report.json"
            try ResultsWriter.writeAtomically([], to: path)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o777 & ~0o644 == 0)
            #expect(mode & 0o600 == 0o600)
        }
    }

    @Test("a target that is a folder fails with a hint and leaves the folder and no temporary file")
    func targetIsFolder() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/out"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            try Data("keep".utf8).write(to: URL(fileURLWithPath: path + "/inner.txt"))
            let error = try #require(throws: ResultsError.self) {
                try ResultsWriter.writeAtomically(Array("new".utf8), to: path)
            }
            #expect(error.code == .replace)
            #expect(error.message.contains("'\(path)'"))
            #expect(error.hint != nil)
            #expect(error.underlying is SystemCallError)
            #expect(try contents(folder) == ["out"])
            #expect(FileManager.default.contents(atPath: path + "/inner.txt") == Data("keep".utf8))
        }
    }

    @Test("a failure just before the rename keeps the previous file and removes the temporary one")
    func failureKeepsPrevious() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/report.json"
            try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
            var sawTemporary: String?
            #expect(throws: ResultsError.self) {
                let inject = { (temporary: String) throws(ResultsError) in
                    sawTemporary = temporary
                    throw ResultsError(code: .replace, message: "injected", hint: nil, path: path)
                }
                try ResultsWriter.writeAtomically(Array("new".utf8), to: path, beforeReplace: inject)
            }
            let temporary = try #require(sawTemporary)
            #expect(temporary.hasPrefix(folder + "/.report.json."))
            #expect(FileManager.default.contents(atPath: path) == Data("previous".utf8))
            #expect(try contents(folder) == ["report.json"])
        }
    }

    @Test("a parent path through a regular file fails as a folder error")
    func parentIsFile() throws {
        try withTemporaryFolder { folder in
            try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
            let error = try #require(throws: ResultsError.self) {
                try ResultsWriter.writeAtomically([], to: folder + "/file/sub/report.json")
            }
            #expect(error.code == .createFolder)
            #expect(try contents(folder) == ["file"])
        }
    }

    @Test(
        "the parent folder of a path",
        arguments: [
            ("report.json", "."), ("a/b.json", "a"), ("/b.json", "/"), ("/x/y/z.json", "/x/y"), ("./r.json", "."),
        ])
    func parentFolder(path: String, folder: String) {
        #expect(ResultsWriter.parentFolder(of: path) == folder)
    }
}
