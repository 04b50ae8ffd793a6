// ES256 (ECDSA over P-256 with SHA-256) signing with per-signature values computed ahead, in batches.
//
// An ECDSA signature needs, besides the message, a fresh secret k, r = x(k·G) mod n and k⁻¹ mod n; none of them
// depends on the message or the key, and FIPS 186-4 (4.5) lets them be computed ahead. Computed one by one, the
// two inversions (x(k·G) needs 1/Z², and k⁻¹) are about half of a signature's cost. Here a thread computes 32 at a
// time and pays for one inversion of each kind per batch (Montgomery's trick), then every signature takes one
// batch entry, uses it once and wipes it.
//
// The arithmetic is swift-crypto's BoringSSL (its constant-time P-256 code; these are its internal functions,
// declared in CP256Signing.c). `credmon_p256_self_test` checks them against known answers before any use.
#ifndef CREDMON_CP256SIGNING_H
#define CREDMON_CP256SIGNING_H

#include <stddef.h>
#include <stdint.h>

/// A private key prepared for signing (its scalar). Create with `credmon_p256_key_create`, free with
/// `credmon_p256_key_destroy` (which wipes it).
typedef struct credmon_p256_key credmon_p256_key;

/// Checks the arithmetic against known answers (k·G for k = 1 and 2, k·k⁻¹ = 1, a batch of 8 against one by
/// one). Returns 1 when every answer is right, 0 otherwise (then nothing here may be used). Runs once; later calls
/// return the first answer.
int credmon_p256_self_test(void);

/// A prepared key from the 32-byte big-endian private scalar, or NULL if it is not in [1, n-1] or memory ran out.
credmon_p256_key *credmon_p256_key_create(const uint8_t private_key[32]);

/// Wipes and frees a prepared key. NULL is accepted.
void credmon_p256_key_destroy(credmon_p256_key *key);

/// Signs a 32-byte digest: writes `r || s` (64 bytes, big-endian) to `signature`. Uses the calling thread's batch
/// of precomputed values, computing the next batch when it is empty. Returns 1 on success, 0 on failure (the
/// random source failed, the self-test did not pass, or `key` is NULL); never signs with a value used before.
int credmon_p256_sign(const credmon_p256_key *key, const uint8_t digest[32], uint8_t signature[64]);

#endif
