import Foundation
import Synchronization

/// SIGINT / SIGTERM handling for long runs: the first signal asks the run to stop cleanly
/// (finish the current realisation, epoch or time step, write a checkpoint, exit 128 + signal);
/// a second one kills at once (default action). SIGXFSZ is ignored, so that writing past a file-size
/// limit fails with an error (EFBIG) that is reported, instead of killing the process.
enum StopSignal {
    private static let received = Atomic<Int32>(0)

    /// The signal that asked for a stop, or nil.
    static var signal: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    static var requested: Bool { signal != nil }

    static func install() {
        // A launcher may start us with these signals blocked (a child inherits the mask of the
        // spawning thread): unblock them, or a stop request would stay pending until exit.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        Foundation.signal(SIGXFSZ, SIG_IGN)
        for s in [SIGINT, SIGTERM] {
            Foundation.signal(s) { sig in
                StopSignal.received.store(sig, ordering: .relaxed)
                Foundation.signal(sig, SIG_DFL)
            }
        }
    }

    /// Reports the stop on stderr and exits with 128 + signal.
    static func exit(_ message: String) -> ExitCodeError {
        let s = signal ?? SIGTERM
        let name = s == SIGINT ? "SIGINT" : s == SIGTERM ? "SIGTERM" : "signal \(s)"
        FileHandle.standardError.write(Data("\ntissue: stopped by \(name): \(message)\n".utf8))
        return ExitCodeError(code: 128 + s)
    }
}

/// Ends the process with `code` (the message was already printed).
struct ExitCodeError: Error {
    let code: Int32
}
