import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the real `jwtk` binary with posix_spawn, for what `Process` cannot express: environment values that
/// are not UTF-8 (`Process.environment` is `[String: String]`) and a stdin pipe that never ends.
enum RawRun {
    /// Where the child's stdin comes from.
    enum Stdin {
        /// Nothing (an empty file).
        case empty
        /// These bytes, from a file.
        case bytes([UInt8])
        /// A pipe a writer thread keeps filling with this byte until the child exits (`/dev/zero`, `yes`).
        case endless(UInt8)
    }

    /// Runs `jwtk args...` with the test process's environment plus `environment` (raw bytes).
    static func run(
        _ args: [String], environment: [(String, [UInt8])] = [], stdin: Stdin = .empty, timeout: Double = 120
    ) throws
        -> CLIResult
    {
        signal(SIGPIPE, SIG_IGN)  // the endless writer sees EPIPE, not a signal, when the child exits
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path
        let errPath = dir.appendingPathComponent("stderr").path
        let inPath = dir.appendingPathComponent("stdin").path

        var inputFD: Int32
        var writerFD: Int32 = -1
        switch stdin {
        case .empty, .bytes:
            var bytes: [UInt8] = []
            if case .bytes(let b) = stdin { bytes = b }
            try Data(bytes).write(to: URL(fileURLWithPath: inPath))
            inputFD = open(inPath, O_RDONLY)
        case .endless:
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw CLI.Failure("pipe failed") }
            inputFD = fds[0]
            writerFD = fds[1]
        }
        let outFD = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard inputFD >= 0, outFD >= 0, errFD >= 0 else { throw CLI.Failure("cannot open the child's files") }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        if writerFD >= 0 { posix_spawn_file_actions_addclose(&actions, writerFD) }

        var env: [[UInt8]] = []
        let overridden = Set(environment.map(\.0))
        for (key, value) in ProcessInfo.processInfo.environment where !overridden.contains(key) && key != "NO_COLOR" {
            env.append(Array("\(key)=\(value)".utf8))
        }
        for (key, value) in environment { env.append(Array("\(key)=".utf8) + value) }
        let argv = ([CLI.binary.path] + args).map { strdup($0) }
        let envp = env.map { bytes -> UnsafeMutablePointer<CChar>? in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { b in
                for (i, byte) in b.enumerated() { p[i] = CChar(bitPattern: byte) }
            }
            p[bytes.count] = 0
            return p
        }
        defer {
            for p in argv { free(p) }
            for p in envp { p?.deallocate() }
        }
        var pid: pid_t = 0
        let spawned = (argv + [nil]).withUnsafeBufferPointer { a in
            (envp + [nil]).withUnsafeBufferPointer { e in
                posix_spawn(
                    &pid, CLI.binary.path, &actions, nil, UnsafeMutablePointer(mutating: a.baseAddress!),
                    UnsafeMutablePointer(mutating: e.baseAddress!))
            }
        }
        close(inputFD)
        close(outFD)
        close(errFD)
        guard spawned == 0 else { throw CLI.Failure("posix_spawn failed: \(spawned)") }

        var writer: Thread?
        if case .endless(let byte) = stdin {
            let fd = writerFD
            let thread = Thread {
                let chunk = [UInt8](repeating: byte, count: 1 << 16)
                while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
                close(fd)
            }
            thread.start()
            writer = thread
        }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw CLI.Failure("jwtk \(args.joined(separator: " ")) did not finish within \(timeout)s")
            }
            usleep(2000)
        }
        _ = writer
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return CLIResult(
            status: exitCode,
            stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
    }
}
