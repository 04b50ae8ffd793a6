extension SigningKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `SigningKey(alg: ES256, kid: <kid>)`; never shows key material.
    public var description: String { "SigningKey(alg: \(algorithm.rawValue), kid: \(keyID))" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// Shows only the algorithm and key id, so `dump` and debuggers do not print the private key.
    public var customMirror: Mirror {
        Mirror(self, children: ["algorithm": algorithm, "keyID": keyID], displayStyle: .struct)
    }
}
