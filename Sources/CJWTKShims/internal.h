// Declarations shared by the CJWTKShims translation units; not part of the public header.
// The once-fetched algorithms live in algorithms.c, their one pthread_once with them.
#ifndef CJWTK_SHIMS_INTERNAL_H
#define CJWTK_SHIMS_INTERNAL_H

#include "CJWTKShims.h"

/* algorithms.c */
/// SHA-256/384/512 fetched once per process; NULL for another size.
const EVP_MD *cjwtk_md(int hashbits);
/// The HMAC EVP_MAC, fetched once per process (NULL if OpenSSL has none).
EVP_MAC *cjwtk_hmac_algorithm(void);
/// "SHA256" / "SHA384" / "SHA512", or NULL.
const char *cjwtk_digest_name(int hashbits);
/// "P-256" / "P-384" / "P-521" for 256 / 384 / 521, or NULL.
const char *cjwtk_group_name(int curve);
/// The group order of P-256/384/521, big-endian, left-padded to the coordinate size; NULL for another curve
/// or when OpenSSL could not provide it.
const uint8_t *cjwtk_order_bytes(int curve);

/* signatures.c */
/// Applies the RSA padding (PKCS#1 v1.5, or PSS with MGF1 and salt = hash length; RFC 7518 §3.5) to a signing
/// or verification context; CJWTK_PAD_DEFAULT leaves it alone. Returns 1 on success.
int cjwtk_setup_padding(EVP_PKEY_CTX *pctx, const EVP_MD *md, int padding);
/// Verifies sig over msg with fresh contexts. hashbits 0 means "no digest" (EdDSA). Returns 1 valid, 0 invalid,
/// -1 internal error.
int cjwtk_verify_fresh(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *sig, size_t siglen, const uint8_t *msg,
                       size_t msglen);

#endif
