// CJWTKShims: the small C layer between jwtk's Swift code and OpenSSL 3 / jansson.
//
// One header for the whole target; its sections follow the .c files that implement them (errors.c, json.c,
// keys.c, digests.c, signatures.c, context_cache.c, generation.c, arena.c, base64url.c; algorithms.c and internal.h are private).
// Constants Swift needs (key kinds, paddings, buffer sizes, jansson flags) are defined here once and imported
// by Swift, never retyped there.
//
// Why each function exists (everything else is called from Swift directly):
// - OSSL_PARAM-based key construction keeps the parameter *names* in C static storage. Passed from
//   Swift, OSSL_PKEY_PARAM_* string macros become temporaries that OSSL_PARAM keeps a pointer to
//   (a use-after-free that only debug builds and ASan show).
// - EVP_PKEY_Q_keygen is variadic and OPENSSL_free / json_typeof are macros: Swift imports none of them.
// - The verify/sign helpers keep the per-call EVP contexts, their set-up and their cleanup in one
//   place, so the Swift side holds no context pointers on the verification path.
#ifndef CJWTK_SHIMS_H
#define CJWTK_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- key kinds, curves, hashes as small integers (no strings cross the boundary) ---- */
enum {
    CJWTK_KIND_UNKNOWN = 0,
    CJWTK_KIND_RSA = 1,
    CJWTK_KIND_EC = 2,
    CJWTK_KIND_ED25519 = 3,
    CJWTK_KIND_ED448 = 4,
    CJWTK_KIND_RSA_PSS = 5,
};
/* ---- buffer sizes and flags Swift passes back in (imported by Swift, not retyped) ---- */
enum {
    CJWTK_MAX_DIGEST_BYTES = EVP_MAX_MD_SIZE, /* digest and HMAC outputs */
    CJWTK_SHA1_BYTES = 20,                    /* x5t thumbprints only */
    CJWTK_ECDSA_DER_MAX = 3 + 2 * (66 + 3),   /* SEQUENCE of two INTEGERs of P-521's 66-byte scalars */
    CJWTK_RAW_PUBLIC_MAX = 64,                /* Ed25519 / Ed448 public keys (32 / 57 bytes) */
    CJWTK_RSA_MODULUS_MAX = 2048,             /* 16384-bit moduli */
    CJWTK_RSA_EXPONENT_MAX = 512,
    CJWTK_SPKI_DER_MAX = 4096,
    CJWTK_PKCS8_DER_MAX = 8192,
    CJWTK_SIGNATURE_MAX = 2048,
    CJWTK_JSON_INDENT_2 = JSON_INDENT(2), /* json_dumps flag; JSON_INDENT is a macro Swift cannot call */
};

/* curves are named by their field size in bits: 256 (P-256), 384 (P-384), 521 (P-521) */
/* hashes by their output size in bits: 256, 384, 512 */

/* ---- errors ---- */
/// Pops every queued OpenSSL error of this thread; writes the first one's text into buf. Returns its code (0 = none).
unsigned long CJWTKShims_take_errors(char *buf, size_t len);
void CJWTKShims_clear_errors(void);

/* ---- jansson macros ---- */
int CJWTKShims_json_typeof(const json_t *json);
const char *CJWTKShims_json_error_text(const json_error_t *error);
/// How many "[" and "{" bytes `bytes` holds (vectorised): a bound on a JSON document's nesting depth.
size_t CJWTKShims_count_opening_brackets(const uint8_t *bytes, size_t count);

/* ---- jansson allocation arena (arena.c) ---- */
/// json_loadb with every allocation of the parse served from one arena (see arena.c for the invariants). On
/// success *arena holds the arena, to be freed with CJWTKShims_arena_free and never with json_decref of the
/// root; *arena is NULL when the parse ran without one (another allocator is installed), and the root is then
/// released with json_decref as usual. On failure returns NULL and frees everything.
json_t *CJWTKShims_json_loadb_arena(const char *buffer, size_t length, size_t flags, json_error_t *error, void **arena);
/// 1 when the arena is in use: jansson 2.14.x at build and at run time (the version reviewed) and the hook installed.
int CJWTKShims_arena_supported(void);
/// Frees an arena and every jansson value in it (the calling thread may keep one chunk of at most 64 KiB for
/// its next parse; it is freed when the thread exits).
void CJWTKShims_arena_free(void *arena);
/// 1 when the calling thread holds a spare arena chunk (tests).
int CJWTKShims_arena_has_spare(void);
/// Frees the calling thread's spare arena chunk, if any (tests).
void CJWTKShims_arena_drop_spare(void);
/// How many chunks an arena holds (1 when the first block was large enough); for tests.
size_t CJWTKShims_arena_chunks(const void *arena);
/// Frees memory jansson returned (json_dumps) with jansson's own free function, which need not be libc's.
void CJWTKShims_json_free(void *pointer);

/* ---- public-key construction ---- */
EVP_PKEY *CJWTKShims_rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen);
/// d is required; p, q, dp, dq, qi may all be NULL (then only n, e, d are given).
EVP_PKEY *CJWTKShims_rsa_private(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                 const uint8_t *d, size_t dlen, const uint8_t *p, size_t plen,
                                 const uint8_t *q, size_t qlen, const uint8_t *dp, size_t dplen,
                                 const uint8_t *dq, size_t dqlen, const uint8_t *qi, size_t qilen);
/// point = 0x04 || x || y. The point is checked to be on the curve.
EVP_PKEY *CJWTKShims_ec_public(int curve, const uint8_t *point, size_t pointlen);
EVP_PKEY *CJWTKShims_ec_private(int curve, const uint8_t *point, size_t pointlen, const uint8_t *d, size_t dlen);
EVP_PKEY *CJWTKShims_okp_public(int kind, const uint8_t *raw, size_t len);
EVP_PKEY *CJWTKShims_okp_private(int kind, const uint8_t *raw, size_t len);

/* DER inputs */
EVP_PKEY *CJWTKShims_public_from_spki_der(const uint8_t *der, size_t len);
EVP_PKEY *CJWTKShims_public_from_pkcs1_der(const uint8_t *der, size_t len);
EVP_PKEY *CJWTKShims_public_from_certificate_der(const uint8_t *der, size_t len);
EVP_PKEY *CJWTKShims_private_from_der(const uint8_t *der, size_t len);
/// Writes the SubjectPublicKeyInfo DER of the key; returns its length, or -1 (also when cap is too small).
int CJWTKShims_public_to_spki_der(const EVP_PKEY *pkey, uint8_t *out, size_t cap);
/// PKCS#8 DER of a private key; returns its length or -1.
int CJWTKShims_private_to_pkcs8_der(const EVP_PKEY *pkey, uint8_t *out, size_t cap);

/* ---- key facts and export ---- */
int CJWTKShims_key_kind(const EVP_PKEY *pkey);
int CJWTKShims_key_bits(const EVP_PKEY *pkey);
int CJWTKShims_ec_curve(const EVP_PKEY *pkey);
int CJWTKShims_has_private(const EVP_PKEY *pkey);
/// RSA modulus and public exponent, big-endian without leading zeros. Returns 1 on success.
int CJWTKShims_rsa_export(const EVP_PKEY *pkey, uint8_t *n, size_t ncap, size_t *nlen, uint8_t *e, size_t ecap, size_t *elen);
/// EC affine coordinates, each left-padded to coordlen bytes. Returns 1 on success.
int CJWTKShims_ec_export(const EVP_PKEY *pkey, uint8_t *x, uint8_t *y, size_t coordlen);
int CJWTKShims_raw_public(const EVP_PKEY *pkey, uint8_t *out, size_t cap, size_t *len);
/// A private BIGNUM parameter (OSSL_PKEY_PARAM_RSA_D, ..._PRIV_KEY) big-endian, left-padded to `pad` bytes when
/// `pad` > 0; the temporary BIGNUM is cleared. 1 on success.
int CJWTKShims_private_bn_export(const EVP_PKEY *pkey, const char *name, uint8_t *out, size_t cap, size_t pad, size_t *len);
/// The raw private key of an Ed25519/Ed448 key. 1 on success.
int CJWTKShims_raw_private(const EVP_PKEY *pkey, uint8_t *out, size_t cap, size_t *len);

/* ---- digests, MACs ---- */
int CJWTKShims_digest(int hashbits, const uint8_t *msg, size_t len, uint8_t *out, size_t *outlen);
/// A keyed HMAC context used as a template (duplicated per computation). NULL on failure.
EVP_MAC_CTX *CJWTKShims_hmac_template(int hashbits, const uint8_t *key, size_t keylen);
/// HMAC of msg with a duplicate of the template. Returns 1 on success.
int CJWTKShims_hmac_compute(const EVP_MAC_CTX *tmpl, const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *outlen);

/* ---- signatures ---- */
enum { CJWTK_PAD_DEFAULT = 0, CJWTK_PAD_PKCS1 = 1, CJWTK_PAD_PSS = 2 };
/// Signs msg; returns the signature length, or -1.
int CJWTKShims_sign(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *msg, size_t msglen, uint8_t *out, size_t cap);
/// ECDSA raw R||S (2*coordlen bytes) to DER, after checking 1 <= r, s <= n-1 for the curve.
/// Returns the DER length; -2 when r or s is out of range; -1 on other errors.
int CJWTKShims_ecdsa_raw_to_der(int curve, const uint8_t *raw, size_t rawlen, uint8_t *out, size_t cap);
/// ECDSA DER to raw R||S, each coordinate left-padded to coordlen. Returns 2*coordlen, or -1.
int CJWTKShims_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coordlen, uint8_t *out);

/* ---- per-thread verification contexts (context_cache.c) ---- */
/// Identity of one key for the per-thread context caches: a unique 64-bit id and a liveness flag.
typedef struct CJWTKShims_key_handle CJWTKShims_key_handle;
/// A new handle (id never reused in this process), or NULL when out of memory.
CJWTKShims_key_handle *CJWTKShims_handle_new(void);
/// Marks the key dead (every thread drops its contexts for it on its next verification) and releases the
/// owner's reference. Call before freeing the key.
void CJWTKShims_handle_retire(CJWTKShims_key_handle *h);
/// Verifies sig over msg with this thread's cached contexts for (handle, hashbits, padding). hashbits 0 means
/// "no digest" (EdDSA). h NULL: fresh contexts. Returns 1 valid, 0 invalid, -1 internal error.
int CJWTKShims_verify_cached(CJWTKShims_key_handle *h, EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *sig,
                             size_t siglen, const uint8_t *msg, size_t msglen);
/// HMAC of msg with this thread's context for (handle, hashbits) (made from tmpl on first use), compared with
/// sig in constant time. Returns 1 equal, 0 different (or length differs), -1 internal error.
int CJWTKShims_hmac_verify_cached(CJWTKShims_key_handle *h, const EVP_MAC_CTX *tmpl, int hashbits, const uint8_t *msg,
                                  size_t len, const uint8_t *sig, size_t siglen);
/// Number of occupied slots in the calling thread's cache (for tests).
int CJWTKShims_thread_cache_count(void);
/// Frees every context of the calling thread's cache (for tests and for threads that want to shed memory).
void CJWTKShims_thread_cache_flush(void);

/* ---- key generation and randomness ---- */
EVP_PKEY *CJWTKShims_generate_rsa(unsigned int bits);
EVP_PKEY *CJWTKShims_generate_ec(int curve);
EVP_PKEY *CJWTKShims_generate_okp(int kind);
int CJWTKShims_random(uint8_t *out, size_t len);
int CJWTKShims_memcmp(const void *a, const void *b, size_t len);

/* ---- strict base64url, the vector block loop (base64url.c) ---- */
/* Decodes whole 16-character blocks of `input` (12 bytes each into `output`) while at least 16 characters
   remain; returns the characters consumed (a multiple of 16; 0 where there is no vector code). Sets *invalid
   to 1 when any consumed character is outside the base64url alphabet, else 0. The caller decodes the rest. */
size_t CJWTKShims_base64url_decode_blocks(const uint8_t *input, size_t count, uint8_t *output, int *invalid);

#ifdef __cplusplus
}
#endif
#endif
