import Foundation
import Synchronization

/// A small HTTP/1.1 server on a loopback TCP port, made of POSIX sockets and one thread per connection.
///
/// It reads `Content-Length` and chunked bodies (up to 1 MiB), answers `Expect: 100-continue`, keeps
/// connections alive (HTTP/1.1's default; HTTP/1.0 with `Connection: keep-alive`), honours `Connection: close`,
/// answers pipelined requests in order, and answers malformed input with a 4xx/5xx and a closed connection.
/// `stop()` wakes every thread (a self-pipe and `shutdown(2)`) and waits for them to finish.
public final class HTTPServer: Sendable {
    /// Turns one request into an action. Called on the connection's own thread; may block (e.g. `pause`).
    public typealias Handler = @Sendable (Request, Context) -> Action

    /// What to do with a request.
    public enum Action: Sendable {
        /// Write this response (then keep the connection or close it, as the request and response say).
        case respond(Response)
        /// Close the connection without writing anything.
        case close
        /// Write nothing, wait this long (less if the server stops), then close the connection.
        case hangThenClose(Duration)
        /// Play these steps on the raw connection (bytes, pauses, a reset), then close it.
        case script([WireStep])
    }

    /// The request's connection, as the handler sees it.
    public struct Context: Sendable {
        /// The connection's number (1 for the first accepted).
        public let connectionID: Int
        fileprivate let signal: StopSignal

        /// Whether `stop()` has been called.
        public var isStopping: Bool { signal.isFired }

        /// Sleeps for `duration`, waking early if the server stops; false if it stopped.
        @discardableResult
        public func pause(for duration: Duration) -> Bool { signal.pause(for: duration) }
    }

    /// The address listened on (`127.0.0.1` unless told otherwise).
    public let host: String
    /// The TCP port listened on.
    public let port: Int
    /// `http://host:port`.
    public var baseURL: URL { URL(string: "http://\(host):\(port)")! }

    private struct State {
        var handler: Handler?
        var stopped = false
        var listenerClosed = false
        var connections: [Int: Int32] = [:]
        var liveThreads = 0
        var acceptedConnections = 0
        var inFlight = 0
        var peakInFlight = 0
        var rejectedRequests = 0
    }

    private let listenFD: Int32
    private let signal: StopSignal
    private let state = Mutex(State())

    /// Binds and listens on `host:port` (port 0: an ephemeral one). Nothing is accepted before `start(_:)`.
    public init(host: String = "127.0.0.1", port: UInt16 = 0) throws {
        signal = try StopSignal()
        do {
            let listener = try Socket.listen(host: host, port: port)
            listenFD = listener.fd
            self.port = Int(listener.port)
        } catch {
            signal.closeDescriptors()
            throw error
        }
        self.host = host
    }

    deinit { stop() }

    /// Starts accepting connections and handing their requests to `handler`. Only the first call counts.
    public func start(_ handler: @escaping Handler) {
        let first = state.withLock { state -> Bool in
            guard state.handler == nil, !state.stopped else { return false }
            state.handler = handler
            state.liveThreads += 1
            return true
        }
        guard first else { return }
        spawn { [self] in acceptLoop(handler) }
    }

    /// Stops: closes the listener and every connection, wakes every thread (including those pausing or
    /// hanging) and waits up to 5 seconds for them to end. Idempotent; must not be called from a handler.
    public func stop() {
        let wasStopped = state.withLock { state -> Bool in
            let was = state.stopped
            state.stopped = true
            // Shut down under the lock: a connection thread deregisters before it closes its descriptor,
            // so these are still the descriptors of our connections.
            for fd in state.connections.values { Socket.shutdownBoth(fd) }
            if state.handler == nil && !state.listenerClosed {
                state.listenerClosed = true
                Socket.close(listenFD)
            }
            return was
        }
        signal.fire()
        if wasStopped { return }
        let deadline = ContinuousClock.now + .seconds(5)
        while state.withLock({ $0.liveThreads }) > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.002)
        }
        if state.withLock({ $0.liveThreads }) == 0 { signal.closeDescriptors() }
    }

    /// Requests read and not yet answered, now (counted out just before the response is written, or the
    /// connection closed).
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// The most requests in flight at once since start (or the last `resetPeakInFlight()`).
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }
    /// Forgets the peak: it becomes the current in-flight count.
    public func resetPeakInFlight() { state.withLock { $0.peakInFlight = $0.inFlight } }
    /// Connections accepted since start.
    public var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }
    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.connections.count } }
    /// Requests answered with an error because they were malformed (never reached the handler).
    public var rejectedRequests: Int { state.withLock { $0.rejectedRequests } }

    // MARK: - Threads

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func acceptLoop(_ handler: @escaping Handler) {
        defer {
            state.withLock { state in
                if !state.listenerClosed {
                    state.listenerClosed = true
                    Socket.close(listenFD)
                }
                state.liveThreads -= 1
            }
        }
        while true {
            switch Socket.waitReadable(listenFD, wake: signal.readFD, timeoutMilliseconds: -1) {
            case .woken: return
            case .timedOut: continue
            case .readable: break
            }
            guard let fd = Socket.accept(listenFD) else {
                if errno == EMFILE || errno == ENFILE { _ = signal.pause(for: .milliseconds(10)) }
                continue
            }
            let id = state.withLock { state -> Int? in
                guard !state.stopped else { return nil }
                state.acceptedConnections += 1
                let id = state.acceptedConnections
                state.connections[id] = fd
                state.liveThreads += 1
                return id
            }
            guard let id else {
                Socket.close(fd)
                return
            }
            spawn { [self] in
                var connection = HTTPConnection(fd: fd, id: id, signal: signal)
                connection.run(server: self, handler: handler)
                state.withLock { _ = $0.connections.removeValue(forKey: id) }
                Socket.close(fd)
                state.withLock { $0.liveThreads -= 1 }
            }
        }
    }

    // MARK: - Accounting (called by connections)

    func beginRequest() {
        state.withLock { state in
            state.inFlight += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
        }
    }

    func endRequest() { state.withLock { $0.inFlight -= 1 } }

    func noteRejected() { state.withLock { $0.rejectedRequests += 1 } }

    func context(connectionID: Int, signal: StopSignal) -> Context { Context(connectionID: connectionID, signal: signal) }
}
