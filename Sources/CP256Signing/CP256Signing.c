// ES256 signing with per-signature values computed in batches (see CP256Signing.h for why).
#include "CP256Signing.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// --- swift-crypto's BoringSSL (linked through the Crypto product), declared here with its symbol prefix ------------
// The layouts are BoringSSL's EC_SCALAR / EC_FELEM (EC_MAX_WORDS = 9 words of 64 bits) and EC_JACOBIAN; they
// have not changed since 2018. credmon_p256_self_test catches a mismatch in what they compute.

typedef uint64_t limb;
enum { MAX_WORDS = 9, P256_WORDS = 4, P256_BYTES = 32 };
typedef struct { limb words[MAX_WORDS]; } ec_scalar;
typedef struct { limb words[MAX_WORDS]; } ec_felem;
typedef struct { ec_felem X, Y, Z; } ec_jacobian;
typedef struct ec_group_st ec_group;

const ec_group *CCryptoBoringSSL_EC_group_p256(void);
int CCryptoBoringSSL_ec_random_nonzero_scalar(const ec_group *, ec_scalar *, const uint8_t additional_data[32]);
int CCryptoBoringSSL_ec_point_mul_scalar_base(const ec_group *, ec_jacobian *, const ec_scalar *);
void CCryptoBoringSSL_ec_GFp_mont_felem_mul(const ec_group *, ec_felem *, const ec_felem *, const ec_felem *);
void CCryptoBoringSSL_ec_GFp_mont_felem_sqr(const ec_group *, ec_felem *, const ec_felem *);
void CCryptoBoringSSL_ec_GFp_mont_felem_exp(const ec_group *, ec_felem *, const ec_felem *, const limb *, size_t);
void CCryptoBoringSSL_ec_felem_to_bytes(const ec_group *, uint8_t *, size_t *, const ec_felem *);
void CCryptoBoringSSL_bn_big_endian_to_words(limb *, size_t, const uint8_t *, size_t);
limb CCryptoBoringSSL_bn_reduce_once(limb *, const limb *, limb, const limb *, size_t);
void CCryptoBoringSSL_ec_scalar_to_montgomery(const ec_group *, ec_scalar *, const ec_scalar *);
void CCryptoBoringSSL_ec_scalar_from_montgomery(const ec_group *, ec_scalar *, const ec_scalar *);
void CCryptoBoringSSL_ec_scalar_mul_montgomery(const ec_group *, ec_scalar *, const ec_scalar *, const ec_scalar *);
void CCryptoBoringSSL_ec_scalar_inv0_montgomery(const ec_group *, ec_scalar *, const ec_scalar *);
void CCryptoBoringSSL_ec_scalar_add(const ec_group *, ec_scalar *, const ec_scalar *, const ec_scalar *);
int CCryptoBoringSSL_ec_scalar_is_zero(const ec_group *, const ec_scalar *);
void CCryptoBoringSSL_ec_scalar_to_bytes(const ec_group *, uint8_t *, size_t *, const ec_scalar *);
int CCryptoBoringSSL_ec_scalar_from_bytes(const ec_group *, ec_scalar *, const uint8_t *, size_t);

// --- P-256's public constants (little-endian 64-bit words) ---------------------------------------------------------

/// p - 2: x^(p-2) = 1/x in the field.
static const limb field_p_minus_2[P256_WORDS] = {
    0xfffffffffffffffd, 0x00000000ffffffff, 0x0000000000000000, 0xffffffff00000001};
/// n, the group order.
static const limb group_order[P256_WORDS] = {
    0xf3b9cac2fc632551, 0xbce6faada7179e84, 0xffffffffffffffff, 0xffffffff00000000};

// --- P-256 values kept in four words ------------------------------------------------------------------------------
// BoringSSL's structures hold nine words (for its largest curve); P-256 uses four. Batches keep four, so that a
// thread's batch and its working space take 7 KiB instead of 16 (the daemon signs on up to 16 threads).

typedef struct { limb words[P256_WORDS]; } p256_value;

static void wipe(void *bytes, size_t count) { explicit_bzero(bytes, count); }

static ec_felem widened_felem(const p256_value *value) {
    ec_felem full;
    memset(&full, 0, sizeof full);
    memcpy(full.words, value->words, sizeof value->words);
    return full;
}

static ec_scalar widened_scalar(const p256_value *value) {
    ec_scalar full;
    memset(&full, 0, sizeof full);
    memcpy(full.words, value->words, sizeof value->words);
    return full;
}

static p256_value narrowed(const limb *words) {
    p256_value value;
    memcpy(value.words, words, sizeof value.words);
    return value;
}

/// a·b in the field (Montgomery form, as BoringSSL keeps P-256's coordinates).
static void felem_mul(const ec_group *group, p256_value *r, const p256_value *a, const p256_value *b) {
    ec_felem wide_a = widened_felem(a), wide_b = widened_felem(b), product;
    CCryptoBoringSSL_ec_GFp_mont_felem_mul(group, &product, &wide_a, &wide_b);
    *r = narrowed(product.words);
    wipe(&wide_a, sizeof wide_a);
    wipe(&wide_b, sizeof wide_b);
    wipe(&product, sizeof product);
}

/// a·b·R⁻¹ modulo n (scalars in the Montgomery domain).
static void scalar_mul(const ec_group *group, p256_value *r, const p256_value *a, const p256_value *b) {
    ec_scalar wide_a = widened_scalar(a), wide_b = widened_scalar(b), product;
    CCryptoBoringSSL_ec_scalar_mul_montgomery(group, &product, &wide_a, &wide_b);
    *r = narrowed(product.words);
    wipe(&wide_a, sizeof wide_a);
    wipe(&wide_b, sizeof wide_b);
    wipe(&product, sizeof product);
}

// --- Batches of per-signature values -------------------------------------------------------------------------------

enum { BATCH = 32 };

/// One signature's precomputed values: r = x(k·G) mod n, and k⁻¹ as ecdsa_sign_impl uses it (k⁻¹·R, R = 2^256).
typedef struct {
    p256_value r;
    p256_value k_inverse;
} nonce_entry;

/// A thread's batch: `left` unused entries at the front of `entries`, taken from the end.
typedef struct {
    size_t left;
    nonce_entry entries[BATCH];
} nonce_pool;

/// x(k·G) mod n from k·G's Jacobian X and Z and 1/Z: X / Z² as big-endian bytes, reduced once modulo n
/// (x < p < 2n), as BoringSSL's ec_get_x_coordinate_as_scalar.
static p256_value x_coordinate_as_scalar(const ec_group *group, const p256_value *x, const p256_value *z_inverse) {
    p256_value z_inverse_squared, affine_x;
    felem_mul(group, &z_inverse_squared, z_inverse, z_inverse);
    felem_mul(group, &affine_x, x, &z_inverse_squared);
    ec_felem wide_x = widened_felem(&affine_x);
    uint8_t bytes[MAX_WORDS * 8];
    size_t length = 0;
    CCryptoBoringSSL_ec_felem_to_bytes(group, bytes, &length, &wide_x);
    limb words[P256_WORDS + 1] = {0};
    CCryptoBoringSSL_bn_big_endian_to_words(words, P256_WORDS + 1, bytes, length);
    p256_value r;
    CCryptoBoringSSL_bn_reduce_once(r.words, words, words[P256_WORDS], group_order, P256_WORDS);
    wipe(&z_inverse_squared, sizeof z_inverse_squared);
    wipe(&affine_x, sizeof affine_x);
    wipe(&wide_x, sizeof wide_x);
    return r;
}

/// Fills `out[i]` from the nonzero scalars `k[i]` (i < count <= BATCH): one field inversion for all the x(k·G)
/// and one scalar inversion for all the k⁻¹, by Montgomery's trick. Returns 0 if BoringSSL refused a scalar.
static int compute_entries(const ec_group *group, const p256_value *k, nonce_entry *out, size_t count) {
    if (count == 0 || count > BATCH) { return 0; }
    p256_value x[BATCH], z[BATCH], z_prefix[BATCH], k_prefix[BATCH];
    int ok = 1;
    for (size_t i = 0; i < count; i++) {
        ec_scalar wide_k = widened_scalar(&k[i]);
        ec_jacobian point;
        if (!CCryptoBoringSSL_ec_point_mul_scalar_base(group, &point, &wide_k)) { ok = 0; }
        x[i] = narrowed(point.X.words);
        z[i] = narrowed(point.Z.words);
        wipe(&point, sizeof point);
        wipe(&wide_k, sizeof wide_k);
        // Prefix products: z_prefix[i] = z0·…·zi (field), k_prefix[i] = k0·…·ki (scalars, Montgomery domain).
        if (i == 0) {
            z_prefix[0] = z[0];
            k_prefix[0] = k[0];
        } else {
            felem_mul(group, &z_prefix[i], &z_prefix[i - 1], &z[i]);
            scalar_mul(group, &k_prefix[i], &k_prefix[i - 1], &k[i]);
        }
    }
    // The two inversions: z^(p-2) in the field; k⁻¹ with BoringSSL's constant-time inversion modulo n.
    ec_felem wide_z_product = widened_felem(&z_prefix[count - 1]), wide_z_inverse;
    ec_scalar wide_k_product = widened_scalar(&k_prefix[count - 1]), wide_k_inverse;
    CCryptoBoringSSL_ec_GFp_mont_felem_exp(group, &wide_z_inverse, &wide_z_product, field_p_minus_2, P256_WORDS);
    CCryptoBoringSSL_ec_scalar_inv0_montgomery(group, &wide_k_inverse, &wide_k_product);
    p256_value z_inverse_product = narrowed(wide_z_inverse.words), k_inverse_product = narrowed(wide_k_inverse.words);
    for (size_t i = count; i-- > 0;) {
        p256_value z_inverse, k_inverse;
        if (i == 0) {
            z_inverse = z_inverse_product;
            k_inverse = k_inverse_product;
        } else {
            // The running products hold 1/(z0·…·zi) and 1/(k0·…·ki); times the prefix before i they give 1/zi
            // and 1/ki, and times zi and ki they move on to i - 1.
            felem_mul(group, &z_inverse, &z_inverse_product, &z_prefix[i - 1]);
            felem_mul(group, &z_inverse_product, &z_inverse_product, &z[i]);
            scalar_mul(group, &k_inverse, &k_inverse_product, &k_prefix[i - 1]);
            scalar_mul(group, &k_inverse_product, &k_inverse_product, &k[i]);
        }
        out[i].r = x_coordinate_as_scalar(group, &x[i], &z_inverse);
        // k⁻¹ in the Montgomery domain is k⁻¹·R² in words (k itself was taken as k·R⁻¹); one step out gives k⁻¹·R.
        ec_scalar wide_inverse = widened_scalar(&k_inverse), wide_out;
        CCryptoBoringSSL_ec_scalar_from_montgomery(group, &wide_out, &wide_inverse);
        out[i].k_inverse = narrowed(wide_out.words);
        wipe(&wide_inverse, sizeof wide_inverse);
        wipe(&wide_out, sizeof wide_out);
        wipe(&z_inverse, sizeof z_inverse);
        wipe(&k_inverse, sizeof k_inverse);
    }
    wipe(x, sizeof x);
    wipe(z, sizeof z);
    wipe(z_prefix, sizeof z_prefix);
    wipe(k_prefix, sizeof k_prefix);
    wipe(&wide_z_product, sizeof wide_z_product);
    wipe(&wide_z_inverse, sizeof wide_z_inverse);
    wipe(&wide_k_product, sizeof wide_k_product);
    wipe(&wide_k_inverse, sizeof wide_k_inverse);
    wipe(&z_inverse_product, sizeof z_inverse_product);
    wipe(&k_inverse_product, sizeof k_inverse_product);
    return ok;
}

/// A random scalar in [1, n-1] (BoringSSL's random source).
static int random_scalar(const ec_group *group, p256_value *k) {
    // No additional data: the message is not known yet (BoringSSL's own RAND_bytes passes none either).
    static const uint8_t no_additional_data[32] = {0};
    ec_scalar wide;
    int ok = CCryptoBoringSSL_ec_random_nonzero_scalar(group, &wide, no_additional_data);
    *k = narrowed(wide.words);
    wipe(&wide, sizeof wide);
    return ok;
}

/// Refills `pool` with BATCH fresh entries. Returns 0 if the random source failed.
static int refill(nonce_pool *pool) {
    const ec_group *group = CCryptoBoringSSL_EC_group_p256();
    p256_value k[BATCH];
    int ok = 1;
    for (size_t i = 0; i < BATCH && ok; i++) { ok = random_scalar(group, &k[i]); }
    if (ok) { ok = compute_entries(group, k, pool->entries, BATCH); }
    wipe(k, sizeof k);
    if (!ok) {
        wipe(pool->entries, sizeof pool->entries);
        pool->left = 0;
        return 0;
    }
    pool->left = BATCH;
    return 1;
}

// --- The calling thread's pool ------------------------------------------------------------------------------------

static pthread_once_t pool_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t pool_key;
static _Thread_local nonce_pool *thread_pool;

static void destroy_pool(void *pool) {
    wipe(pool, sizeof(nonce_pool));
    free(pool);
}

/// In a forked child the forking thread's unused entries are dropped: parent and child must never sign with the
/// same k (two signatures with one k give the key away).
static void drop_pool_after_fork(void) {
    if (thread_pool != NULL) {
        wipe(thread_pool->entries, sizeof thread_pool->entries);
        thread_pool->left = 0;
    }
}

static void create_pool_key(void) {
    pthread_key_create(&pool_key, destroy_pool);
    pthread_atfork(NULL, NULL, drop_pool_after_fork);
}

static nonce_pool *current_pool(void) {
    if (thread_pool != NULL) { return thread_pool; }
    pthread_once(&pool_key_once, create_pool_key);
    nonce_pool *pool = calloc(1, sizeof(nonce_pool));
    if (pool == NULL) { return NULL; }
    pthread_setspecific(pool_key, pool);
    thread_pool = pool;
    return pool;
}

// --- Keys and signatures -------------------------------------------------------------------------------------------

struct credmon_p256_key {
    ec_scalar scalar;
};

credmon_p256_key *credmon_p256_key_create(const uint8_t private_key[32]) {
    const ec_group *group = CCryptoBoringSSL_EC_group_p256();
    credmon_p256_key *key = calloc(1, sizeof(credmon_p256_key));
    if (key == NULL) { return NULL; }
    if (!CCryptoBoringSSL_ec_scalar_from_bytes(group, &key->scalar, private_key, P256_BYTES) ||
        CCryptoBoringSSL_ec_scalar_is_zero(group, &key->scalar)) {
        credmon_p256_key_destroy(key);
        return NULL;
    }
    return key;
}

void credmon_p256_key_destroy(credmon_p256_key *key) {
    if (key == NULL) { return; }
    wipe(key, sizeof *key);
    free(key);
}

/// s = k⁻¹·(e + r·d), as ecdsa_sign_impl computes it. Returns 0 if r or s is zero (take another entry).
static int sign_with(const ec_group *group, const ec_scalar *private_scalar, const uint8_t digest[32],
                     const nonce_entry *entry, uint8_t signature[64]) {
    ec_scalar r = widened_scalar(&entry->r), k_inverse = widened_scalar(&entry->k_inverse), s, e;
    int ok = !CCryptoBoringSSL_ec_scalar_is_zero(group, &r);
    if (ok) {
        CCryptoBoringSSL_ec_scalar_to_montgomery(group, &s, &r);
        CCryptoBoringSSL_ec_scalar_mul_montgomery(group, &s, private_scalar, &s);   // r·d
        // e: the 32-byte digest as a number, reduced once modulo n (n's bit length is the digest's).
        limb words[P256_WORDS] = {0};
        CCryptoBoringSSL_bn_big_endian_to_words(words, P256_WORDS, digest, P256_BYTES);
        memset(&e, 0, sizeof e);
        CCryptoBoringSSL_bn_reduce_once(e.words, words, 0, group_order, P256_WORDS);
        CCryptoBoringSSL_ec_scalar_add(group, &s, &s, &e);                           // e + r·d
        CCryptoBoringSSL_ec_scalar_mul_montgomery(group, &s, &s, &k_inverse);        // k⁻¹·(e + r·d)
        ok = !CCryptoBoringSSL_ec_scalar_is_zero(group, &s);
        if (ok) {
            size_t length = 0;
            CCryptoBoringSSL_ec_scalar_to_bytes(group, signature, &length, &r);
            CCryptoBoringSSL_ec_scalar_to_bytes(group, signature + P256_BYTES, &length, &s);
        }
        wipe(&s, sizeof s);
        wipe(&e, sizeof e);
        wipe(words, sizeof words);
    }
    wipe(&r, sizeof r);
    wipe(&k_inverse, sizeof k_inverse);
    return ok;
}

int credmon_p256_sign(const credmon_p256_key *key, const uint8_t digest[32], uint8_t signature[64]) {
    if (key == NULL || !credmon_p256_self_test()) { return 0; }
    nonce_pool *pool = current_pool();
    if (pool == NULL) { return 0; }
    const ec_group *group = CCryptoBoringSSL_EC_group_p256();
    // Bounded like BoringSSL's signing loop: a zero r or s is a 2^-256 event; 32 in a row means broken arithmetic.
    for (int attempt = 0; attempt < 32; attempt++) {
        if (pool->left == 0 && !refill(pool)) { return 0; }
        pool->left -= 1;
        nonce_entry *entry = &pool->entries[pool->left];
        int ok = sign_with(group, &key->scalar, digest, entry, signature);
        wipe(entry, sizeof *entry);
        if (ok) { return 1; }
    }
    return 0;
}

// --- Known answers -------------------------------------------------------------------------------------------------

/// x(G) and x(2·G), big-endian (SEC 2; 2·G computed by the affine doubling formula).
static const uint8_t generator_x[32] = {
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96};
static const uint8_t double_generator_x[32] = {
    0x7c, 0xf2, 0x7b, 0x18, 0x8d, 0x03, 0x4f, 0x7e, 0x8a, 0x52, 0x38, 0x03, 0x04, 0xb5, 0x1a, 0xc3,
    0xc0, 0x89, 0x69, 0xe2, 0x77, 0xf2, 0x1b, 0x35, 0xa6, 0x0b, 0x48, 0xfc, 0x47, 0x66, 0x99, 0x78};

/// Whether k·k⁻¹ = 1 for the entry computed from k.
static int inverse_holds(const ec_group *group, const p256_value *k, const nonce_entry *entry) {
    p256_value product;
    scalar_mul(group, &product, k, &entry->k_inverse); // k·k⁻¹·R·R⁻¹
    static const p256_value one = {{1, 0, 0, 0}};
    return memcmp(&product, &one, sizeof one) == 0;
}

/// Whether the entry's r is the big-endian `expected`.
static int r_is(const nonce_entry *entry, const uint8_t expected[32]) {
    limb words[P256_WORDS];
    CCryptoBoringSSL_bn_big_endian_to_words(words, P256_WORDS, expected, 32);
    return memcmp(words, entry->r.words, sizeof words) == 0;
}

static int self_test_result;
static pthread_once_t self_test_once = PTHREAD_ONCE_INIT;

static void run_self_test(void) {
    const ec_group *group = CCryptoBoringSSL_EC_group_p256();
    if (group == NULL) { return; }
    // 1 and 2 as a batch of two, then eight random scalars as a batch and one by one: the same answers.
    const p256_value small[2] = {{{1, 0, 0, 0}}, {{2, 0, 0, 0}}};
    nonce_entry small_entries[2];
    if (!compute_entries(group, small, small_entries, 2) ||
        !r_is(&small_entries[0], generator_x) || !r_is(&small_entries[1], double_generator_x) ||
        !inverse_holds(group, &small[0], &small_entries[0]) || !inverse_holds(group, &small[1], &small_entries[1])) {
        return;
    }
    enum { CHECKED = 8 };
    p256_value k[CHECKED];
    nonce_entry batch[CHECKED];
    int ok = 1;
    for (size_t i = 0; i < CHECKED && ok; i++) { ok = random_scalar(group, &k[i]); }
    ok = ok && compute_entries(group, k, batch, CHECKED);
    for (size_t i = 0; i < CHECKED && ok; i++) {
        nonce_entry single;
        ok = compute_entries(group, &k[i], &single, 1) && memcmp(&single, &batch[i], sizeof single) == 0 &&
             inverse_holds(group, &k[i], &batch[i]);
        wipe(&single, sizeof single);
    }
    wipe(k, sizeof k);
    wipe(batch, sizeof batch);
    self_test_result = ok;
}

int credmon_p256_self_test(void) {
    pthread_once(&self_test_once, run_self_test);
    return self_test_result;
}
