// Signing and fresh-context verification (RSA PKCS#1 / PSS, ECDSA, EdDSA), and ECDSA's raw R||S <-> DER.
#include "internal.h"
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <string.h>

int cjwtk_setup_padding(EVP_PKEY_CTX *pctx, const EVP_MD *md, int padding) {
    if (padding == CJWTK_PAD_PKCS1) return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    if (padding == CJWTK_PAD_PSS) {
        /* RFC 7518 §3.5: MGF1 with the same hash, salt length equal to the hash output. */
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    }
    return 1;
}

int cjwtk_verify_fresh(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) {
    const EVP_MD *md = hashbits == 0 ? NULL : cjwtk_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    EVP_PKEY_CTX *pctx = NULL; /* owned by ctx */
    int result = -1;
    if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) == 1 && cjwtk_setup_padding(pctx, md, padding)) {
        int r = EVP_DigestVerify(ctx, sig, siglen, msg, msglen);
        result = r == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return result;
}

int CJWTKShims_sign(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *msg, size_t msglen, uint8_t *out, size_t cap) {
    const EVP_MD *md = hashbits == 0 ? NULL : cjwtk_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    EVP_PKEY_CTX *pctx = NULL;
    int result = -1;
    size_t len = cap;
    if (EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) == 1 && cjwtk_setup_padding(pctx, md, padding) &&
        EVP_DigestSign(ctx, NULL, &len, msg, msglen) == 1 && len <= cap) {
        len = cap;
        if (EVP_DigestSign(ctx, out, &len, msg, msglen) == 1) result = (int)len;
    }
    EVP_MD_CTX_free(ctx);
    return result;
}

/* 1 <= v <= n - 1 for a big-endian v of exactly len bytes (len = the order's padded size). */
static int scalar_in_range(const uint8_t *v, const uint8_t *order, size_t len) {
    int nonzero = 0;
    for (size_t i = 0; i < len; i++) nonzero |= v[i];
    return nonzero != 0 && memcmp(v, order, len) < 0;
}

/* DER INTEGER of a non-negative big-endian value; returns bytes written. out has room for len + 3. */
static size_t der_integer(const uint8_t *v, size_t len, uint8_t *out) {
    while (len > 1 && v[0] == 0) { v++; len--; }
    size_t pad = (v[0] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(len + pad); /* <= 67: short form */
    if (pad) out[2] = 0;
    memcpy(out + 2 + pad, v, len);
    return 2 + pad + len;
}

/* No allocation: range check against the order's bytes, then the DER written by hand. */
int CJWTKShims_ecdsa_raw_to_der(int curve, const uint8_t *raw, size_t rawlen, uint8_t *out, size_t cap) {
    const uint8_t *order = cjwtk_order_bytes(curve);
    size_t coord = curve == 521 ? 66 : (size_t)curve / 8;
    if (order == NULL || raw == NULL || rawlen != 2 * coord) return -1;
    /* 1 <= r, s <= n - 1: rejects the all-zero "psychic" signature and out-of-range values. */
    if (!scalar_in_range(raw, order, coord) || !scalar_in_range(raw + coord, order, coord)) return -2;
    uint8_t body[CJWTK_ECDSA_DER_MAX - 3];
    size_t n = der_integer(raw, coord, body);
    n += der_integer(raw + coord, coord, body + n);
    size_t header = n < 128 ? 2 : 3;
    if (header + n > cap) return -1;
    out[0] = 0x30;
    if (n < 128) {
        out[1] = (uint8_t)n;
    } else {
        out[1] = 0x81;
        out[2] = (uint8_t)n;
    }
    memcpy(out + header, body, n);
    return (int)(header + n);
}

int CJWTKShims_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t coordlen, uint8_t *out) {
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    if (sig == NULL) return -1;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, out, (int)coordlen) == (int)coordlen &&
             BN_bn2binpad(s, out + coordlen, (int)coordlen) == (int)coordlen;
    ECDSA_SIG_free(sig);
    return ok ? (int)(2 * coordlen) : -1;
}
