import Foundation

/// One bad answer of the token endpoint, given on demand (hostile-server mode): numbers out of range, wrong JSON
/// types, huge or endless bodies, control characters, absurd `Retry-After` values, stalls, redirects, resets.
/// ``catalog`` is the table; `OAuthServer.answerHostile(_:forGrantOf:)` makes every refresh of a grant get one.
///
/// A row is a script of bytes and pauses on the wire (``WireStep``), so it can send what no well-behaved HTTP
/// server would (a lying `Content-Length`, a head and then silence, a TCP reset). After the script the connection
/// is closed. Unless ``rotatesRefreshToken`` the server changes no state: the refresh token presented stays valid.
public struct HostileAnswer: Sendable, Identifiable, CustomStringConvertible {
    /// What the row is about (the server tests check each kind).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case number, type, duplicateKey, nesting, size, content, encoding, controlCharacters, retryAfter, stall, redirect, connection
    }

    /// What the row's answer looks like to a client that reads everything the server sends.
    public enum Outcome: Sendable, Hashable {
        /// A whole response with this status, then the connection closes.
        case response(status: Int)
        /// A response head with this status, then (part of) a body, then nothing for as long as the server lives.
        case stallsAfterHead(status: Int)
        /// The bytes of a response arrive one at a time, `every` apart: the exchange lasts far longer than a timeout.
        case drips(every: Duration)
        /// No byte of a response for as long as the server lives.
        case silence
        /// Interim `100 Continue` heads, again and again, and never a final response.
        case endlessInterim
        /// The connection is reset (TCP RST) after the request was read; nothing was sent.
        case reset
        /// The connection is closed after the request was read; nothing was sent.
        case closedBeforeHead
        /// A head with `Content-Length` larger than what follows, then the connection closes.
        case closedMidBody(status: Int)
    }

    /// The row's name (unique in ``catalog``).
    public let id: String
    /// What the server sends, in a few words (the table in the report).
    public let sends: String
    /// The kind of hostility.
    public let kind: Kind
    /// What a client sees.
    public let outcome: Outcome
    /// The server commits a rotation and the answer carries the new refresh token (valid) beside what cannot be
    /// used: a client must keep that token (it is the only live one) and write nothing else.
    public let rotatesRefreshToken: Bool
    /// Bytes the answer contains (checked by the server tests), if one fragment proves the row is sent as meant.
    public let marker: [UInt8]?
    let script: @Sendable (Context) -> [WireStep]

    public var description: String { id }

    init(_ id: String, _ kind: Kind, sends: String, outcome: Outcome, rotates: Bool = false, marker: String? = nil,
         script: @escaping @Sendable (Context) -> [WireStep]) {
        self.id = id
        self.kind = kind
        self.sends = sends
        self.outcome = outcome
        self.rotatesRefreshToken = rotates
        self.marker = marker.map { Array($0.utf8) }
        self.script = script
    }

    /// What a script may use: the rotated refresh token (rows that rotate), the time, where to redirect.
    public struct Context: Sendable {
        /// The new refresh token of a rotating row, else a made-up one that the server does not know.
        public var refreshToken: String
        /// Now (the server clock).
        public var now: Date
        /// Where redirect rows send the client (`Configuration.hostileRedirectLocation`).
        public var redirectLocation: String
        /// How long a stall lasts at most (the server's stop ends it sooner).
        public var stall: Duration
    }

    /// The steps this row takes for `context`.
    public func steps(_ context: Context) -> [WireStep] { script(context) }

    /// Every token value a hostile answer carries contains this, so a test can assert none reached a log.
    public static let secretMarker = "hostile-secret"
}

/// One step of a scripted answer.
public enum WireStep: Sendable, Hashable {
    /// Write these bytes.
    case send([UInt8])
    /// Write these bytes `times` times (an endless-looking body without holding it in memory).
    case sendRepeated([UInt8], times: Int)
    /// Write these bytes one at a time, pausing `every` before each.
    case drip([UInt8], every: Duration)
    /// Write nothing for this long (less if the server stops).
    case pause(Duration)
    /// Reset the connection (TCP RST) and end the script.
    case reset
}
