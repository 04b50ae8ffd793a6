extension SigningKey {
    /// Reads a PEM private key file and parses it as ``init(pem:keyID:algorithm:source:)`` does,
    /// with the path as the source. Refuses anything that is not a regular file (a directory, a FIFO, a device)
    /// and files over 1 MiB.
    public static func load(privateKeyFile path: String, keyID: String, algorithm: SigningAlgorithm) throws(KeyError) -> SigningKey {
        let text = try KeyFileIO.readKeyFile(path)
        return try SigningKey(pem: text, keyID: keyID, algorithm: algorithm, source: path)
    }

    /// Reads a PEM private key file and takes the algorithm from the key (ES256 for P-256, RS256 for RSA).
    static func load(privateKeyFile path: String, keyID: String) throws(KeyError) -> SigningKey {
        let text = try KeyFileIO.readKeyFile(path)
        return try SigningKey(pem: text, keyID: keyID, source: path)
    }
}
