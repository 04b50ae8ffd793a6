import Foundation
import Signers

/// Private key files in every format credmon accepts, generated with the system `openssl`.
enum AcceptedKeyFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `openssl ecparam -genkey`: an EC PARAMETERS block, then a SEC1 EC PRIVATE KEY.
    case sec1WithParameters
    /// `openssl ecparam -genkey -noout`: SEC1 only.
    case sec1
    /// SEC1 without the optional public key field.
    case sec1WithoutPublicKey
    /// SEC1 with CRLF line endings.
    case sec1CRLF
    /// `openssl genpkey -algorithm EC`: PKCS#8 PRIVATE KEY.
    case pkcs8EC
    /// `openssl genpkey -algorithm RSA`: PKCS#8 PRIVATE KEY, 2048 bits.
    case pkcs8RSA
    /// `openssl genrsa -traditional`: PKCS#1 RSA PRIVATE KEY, 2048 bits.
    case pkcs1RSA
    /// `openssl genrsa -traditional 3072`.
    case pkcs1RSA3072

    var description: String { rawValue }

    var algorithm: SigningAlgorithm {
        switch self {
        case .sec1WithParameters, .sec1, .sec1WithoutPublicKey, .sec1CRLF, .pkcs8EC: return .es256
        case .pkcs8RSA, .pkcs1RSA, .pkcs1RSA3072: return .rs256
        }
    }

    /// The first PEM line the generated file must have, proving the test covers this format.
    var firstLine: String {
        switch self {
        case .sec1WithParameters: return "-----BEGIN EC PARAMETERS-----"
        case .sec1, .sec1WithoutPublicKey, .sec1CRLF: return "-----BEGIN EC PRIVATE KEY-----"
        case .pkcs8EC, .pkcs8RSA: return "-----BEGIN PRIVATE KEY-----"
        case .pkcs1RSA, .pkcs1RSA3072: return "-----BEGIN RSA PRIVATE KEY-----"
        }
    }

    /// Generates the key as `key.pem` in `directory`; returns its path.
    func generate(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("key.pem")
        switch self {
        case .sec1WithParameters:
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", path])
        case .sec1:
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path])
        case .sec1WithoutPublicKey:
            let full = directory.file("full.pem")
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", full])
            try Shell.openssl(["ec", "-in", full, "-no_public", "-out", path])
        case .sec1CRLF:
            let lf = directory.file("lf.pem")
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", lf])
            let text = try Files.text(lf).replacingOccurrences(of: "\n", with: "\r\n")
            try directory.write("key.pem", text: text)
        case .pkcs8EC:
            try Shell.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
        case .pkcs8RSA:
            try Shell.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path])
        case .pkcs1RSA:
            try Shell.openssl(["genrsa", "-traditional", "-out", path, "2048"])
        case .pkcs1RSA3072:
            try Shell.openssl(["genrsa", "-traditional", "-out", path, "3072"])
        }
        return path
    }
}

/// OpenSSL operations used as an independent reference.
enum OpenSSLReference {
    /// `openssl pkey -in <private key> -pubout` (SPKI PEM).
    static func publicKeyPEM(ofPrivateKey path: String) throws -> String {
        String(decoding: try Shell.openssl(["pkey", "-in", path, "-pubout"]), as: UTF8.self)
    }

    /// `openssl pkey -in <private key> -pubout -outform DER`.
    static func publicKeyDER(ofPrivateKey path: String) throws -> Data {
        try Shell.openssl(["pkey", "-in", path, "-pubout", "-outform", "DER"])
    }

    /// Verifies a compact JWS with `openssl dgst -sha256 -verify`, using the given public key PEM.
    /// Returns whether openssl accepted it; `tamper` flips a byte of the signing input first.
    static func verify(token: String, algorithm: SigningAlgorithm, publicKeyPEM: String, in directory: TemporaryDirectory, tamper: Bool = false) throws -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let rawSignature = SignatureFormats.base64URLDecode(parts[2]) else {
            throw TestSupportError(description: "not a compact JWS: \(token)")
        }
        var signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        if tamper { signingInput[signingInput.count - 1] ^= 0x01 }
        let signature = algorithm == .es256 ? SignatureFormats.derECDSA(fromRaw: rawSignature) : rawSignature
        let name = UUID().uuidString
        let publicPath = try directory.write("\(name).pub.pem", text: publicKeyPEM)
        let inputPath = try directory.write("\(name).input", signingInput)
        let signaturePath = try directory.write("\(name).sig", signature)
        let result = try Shell.run(["openssl", "dgst", "-sha256", "-verify", publicPath, "-signature", signaturePath, inputPath])
        return result.status == 0 && result.stdoutText.contains("Verified OK")
    }
}
