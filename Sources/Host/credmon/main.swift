import CredmonHost
import Glibc

// Not an async top level: Swift's async main hands the main thread to `dispatch_main()`, which ends it with
// `pthread_exit`, and glibc then unwinds the main thread's stack by force, looking up every frame's unwind tables
// (`.eh_frame_hdr`, `.eh_frame`): about 0.9 MiB of the binary's pages stayed resident in an idle daemon for that
// alone. The command runs on the global executor instead (nothing in it needs the main actor), and the main thread
// waits; the command ends the process with its exit status.
// First, while this is the process's only thread: the descriptor table grown for a first pass and malloc's mmap
// threshold fixed (CredmonCommand.prepareProcess).
CredmonCommand.prepareProcess()
Task.detached {
    await CredmonCommand.launch()
    exit(0)
}
while true { pause() }
