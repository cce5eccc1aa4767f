// Implementation of CJWTKShims.h. Every OSSL_PARAM name used here is a string literal in static storage.
#include "CJWTKShims.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ errors */

unsigned long CJWTKShims_take_errors(char *buf, size_t len) {
    unsigned long first = ERR_get_error();
    if (buf != NULL && len > 0) {
        buf[0] = '\0';
        if (first != 0) ERR_error_string_n(first, buf, len);
    }
    while (ERR_get_error() != 0) { /* drain the rest of this thread's queue */ }
    return first;
}

void CJWTKShims_clear_errors(void) { ERR_clear_error(); }

/* ------------------------------------------------------------------ jansson */

int CJWTKShims_json_typeof(const json_t *json) { return json == NULL ? -1 : (int)json_typeof(json); }
const char *CJWTKShims_json_error_text(const json_error_t *error) { return error->text; }

/* ------------------------------------------------------------------ fetched algorithms (once per process) */

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *md256, *md384, *md512;
static EVP_MAC *hmac_alg;
static BIGNUM *order256, *order384, *order521;
/* The group orders big-endian, left-padded to the coordinate size: ECDSA range checks compare bytes. */
static uint8_t order_bytes256[32], order_bytes384[48], order_bytes521[66];
static int order_bytes_ok;

static BIGNUM *curve_order(int nid) {
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    if (g == NULL) return NULL;
    BIGNUM *o = BN_dup(EC_GROUP_get0_order(g));
    EC_GROUP_free(g);
    return o;
}

static void fetch_all(void) {
    md256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    md512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    order256 = curve_order(NID_X9_62_prime256v1);
    order384 = curve_order(NID_secp384r1);
    order521 = curve_order(NID_secp521r1);
    order_bytes_ok = order256 != NULL && order384 != NULL && order521 != NULL &&
                     BN_bn2binpad(order256, order_bytes256, 32) == 32 && BN_bn2binpad(order384, order_bytes384, 48) == 48 &&
                     BN_bn2binpad(order521, order_bytes521, 66) == 66;
}

const EVP_MD *CJWTKShims_md(int hashbits) {
    pthread_once(&fetch_once, fetch_all);
    switch (hashbits) {
    case 256: return md256;
    case 384: return md384;
    case 512: return md512;
    default: return NULL;
    }
}

static const char *digest_name(int hashbits) {
    switch (hashbits) {
    case 256: return "SHA256";
    case 384: return "SHA384";
    case 512: return "SHA512";
    default: return NULL;
    }
}

static const char *group_name(int curve) {
    switch (curve) {
    case 256: return "P-256";
    case 384: return "P-384";
    case 521: return "P-521";
    default: return NULL;
    }
}

/* ------------------------------------------------------------------ key construction */

static EVP_PKEY *from_params(const char *type, int selection, OSSL_PARAM_BLD *bld) {
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) > 0) {
        if (EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0) pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* Full key-pair validation (EVP_PKEY_check): for RSA p·q = n and the CRT values, for EC d·G = Q. A private
   key whose members come from different keys is refused here rather than signing with a fall-back path. */
static EVP_PKEY *checked_keypair(EVP_PKEY *pkey) {
    if (pkey == NULL) return NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

static int push_bn(OSSL_PARAM_BLD *bld, const char *name, const uint8_t *bytes, size_t len, BIGNUM **slot) {
    *slot = BN_bin2bn(bytes, (int)len, NULL);
    if (*slot == NULL) return 0;
    return OSSL_PARAM_BLD_push_BN(bld, name, *slot);
}

EVP_PKEY *CJWTKShims_rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen) {
    if (n == NULL || e == NULL || nlen == 0 || elen == 0 || nlen > 2048 || elen > 2048) return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn[2] = {NULL, NULL};
    EVP_PKEY *pkey = NULL;
    if (bld != NULL && push_bn(bld, OSSL_PKEY_PARAM_RSA_N, n, nlen, &bn[0]) &&
        push_bn(bld, OSSL_PKEY_PARAM_RSA_E, e, elen, &bn[1])) {
        pkey = from_params("RSA", EVP_PKEY_PUBLIC_KEY, bld);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn[0]);
    BN_free(bn[1]);
    return pkey;
}

EVP_PKEY *CJWTKShims_rsa_private(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                 const uint8_t *d, size_t dlen, const uint8_t *p, size_t plen,
                                 const uint8_t *q, size_t qlen, const uint8_t *dp, size_t dplen,
                                 const uint8_t *dq, size_t dqlen, const uint8_t *qi, size_t qilen) {
    if (n == NULL || e == NULL || d == NULL) return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn[8] = {0};
    EVP_PKEY *pkey = NULL;
    int ok = bld != NULL && push_bn(bld, OSSL_PKEY_PARAM_RSA_N, n, nlen, &bn[0]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_E, e, elen, &bn[1]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_D, d, dlen, &bn[2]);
    if (ok && p != NULL && q != NULL && dp != NULL && dq != NULL && qi != NULL) {
        ok = push_bn(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p, plen, &bn[3]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q, qlen, &bn[4]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp, dplen, &bn[5]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq, dqlen, &bn[6]) &&
             push_bn(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi, qilen, &bn[7]);
    }
    if (ok) {
        pkey = from_params("RSA", EVP_PKEY_KEYPAIR, bld);
        /* With the CRT members, check p·q = n and the rest; with n, e, d alone OpenSSL's check needs the factors,
           and the Swift side's sign-and-verify pairwise check covers d. */
        if (bn[3] != NULL) pkey = checked_keypair(pkey);
    }
    OSSL_PARAM_BLD_free(bld);
    for (int i = 0; i < 8; i++) BN_clear_free(bn[i]);
    return pkey;
}

EVP_PKEY *CJWTKShims_ec_public(int curve, const uint8_t *point, size_t pointlen) {
    const char *group = group_name(curve);
    if (group == NULL || point == NULL) return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld != NULL && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, pointlen)) {
        pkey = from_params("EC", EVP_PKEY_PUBLIC_KEY, bld);
    }
    OSSL_PARAM_BLD_free(bld);
    if (pkey != NULL && CJWTKShims_public_check(pkey) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

EVP_PKEY *CJWTKShims_ec_private(int curve, const uint8_t *point, size_t pointlen, const uint8_t *d, size_t dlen) {
    const char *group = group_name(curve);
    if (group == NULL || point == NULL || d == NULL) return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *priv = NULL;
    EVP_PKEY *pkey = NULL;
    if (bld != NULL && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, pointlen) &&
        push_bn(bld, OSSL_PKEY_PARAM_PRIV_KEY, d, dlen, &priv)) {
        pkey = checked_keypair(from_params("EC", EVP_PKEY_KEYPAIR, bld));
    }
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
    return pkey;
}

EVP_PKEY *CJWTKShims_okp_public(int kind, const uint8_t *raw, size_t len) {
    int type = kind == CJWTK_KIND_ED25519 ? EVP_PKEY_ED25519 : kind == CJWTK_KIND_ED448 ? EVP_PKEY_ED448 : 0;
    if (type == 0 || raw == NULL) return NULL;
    return EVP_PKEY_new_raw_public_key(type, NULL, raw, len);
}

EVP_PKEY *CJWTKShims_okp_private(int kind, const uint8_t *raw, size_t len) {
    int type = kind == CJWTK_KIND_ED25519 ? EVP_PKEY_ED25519 : kind == CJWTK_KIND_ED448 ? EVP_PKEY_ED448 : 0;
    if (type == 0 || raw == NULL) return NULL;
    return EVP_PKEY_new_raw_private_key(type, NULL, raw, len);
}

/* DER must be consumed exactly: trailing bytes make the input invalid. */
EVP_PKEY *CJWTKShims_public_from_spki_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *CJWTKShims_public_from_pkcs1_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *CJWTKShims_public_from_certificate_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    if (cert == NULL) return NULL;
    EVP_PKEY *pkey = NULL;
    if (p == der + len) pkey = X509_get_pubkey(cert); /* +1 reference */
    X509_free(cert);
    return pkey;
}

EVP_PKEY *CJWTKShims_private_from_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)len);
    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

int CJWTKShims_public_to_spki_der(const EVP_PKEY *pkey, uint8_t *out, size_t cap) {
    int len = i2d_PUBKEY(pkey, NULL);
    if (len <= 0 || (size_t)len > cap) return -1;
    unsigned char *p = out;
    return i2d_PUBKEY(pkey, &p);
}

int CJWTKShims_private_to_pkcs8_der(const EVP_PKEY *pkey, uint8_t *out, size_t cap) {
    PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(pkey);
    if (info == NULL) return -1;
    int len = i2d_PKCS8_PRIV_KEY_INFO(info, NULL);
    int written = -1;
    if (len > 0 && (size_t)len <= cap) {
        unsigned char *p = out;
        written = i2d_PKCS8_PRIV_KEY_INFO(info, &p);
    }
    PKCS8_PRIV_KEY_INFO_free(info);
    return written;
}

/* ------------------------------------------------------------------ key facts */

int CJWTKShims_key_kind(const EVP_PKEY *pkey) {
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: return CJWTK_KIND_RSA;
    case EVP_PKEY_RSA_PSS: return CJWTK_KIND_RSA_PSS;
    case EVP_PKEY_EC: return CJWTK_KIND_EC;
    case EVP_PKEY_ED25519: return CJWTK_KIND_ED25519;
    case EVP_PKEY_ED448: return CJWTK_KIND_ED448;
    default: return CJWTK_KIND_UNKNOWN;
    }
}

int CJWTKShims_key_bits(const EVP_PKEY *pkey) { return EVP_PKEY_get_bits(pkey); }

int CJWTKShims_ec_curve(const EVP_PKEY *pkey) {
    char name[64];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) return 0;
    int nid = OBJ_txt2nid(name);
    if (nid == NID_undef) nid = EC_curve_nist2nid(name);
    switch (nid) {
    case NID_X9_62_prime256v1: return 256;
    case NID_secp384r1: return 384;
    case NID_secp521r1: return 521;
    default: return 0;
    }
}

int CJWTKShims_has_private(const EVP_PKEY *pkey) {
    BIGNUM *bn = NULL;
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &bn) == 1) { BN_clear_free(bn); return 1; }
        return 0;
    case EVP_PKEY_EC:
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1) { BN_clear_free(bn); return 1; }
        return 0;
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448: {
        size_t len = 0;
        return EVP_PKEY_get_raw_private_key(pkey, NULL, &len) == 1 && len > 0;
    }
    default: return 0;
    }
}

static int bn_export(const EVP_PKEY *pkey, const char *name, uint8_t *out, size_t cap, size_t *len) {
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return 0;
    int n = BN_num_bytes(bn);
    int ok = n > 0 && (size_t)n <= cap && BN_bn2bin(bn, out) == n;
    if (ok) *len = (size_t)n;
    BN_free(bn);
    return ok;
}

int CJWTKShims_rsa_export(const EVP_PKEY *pkey, uint8_t *n, size_t ncap, size_t *nlen, uint8_t *e, size_t ecap, size_t *elen) {
    return bn_export(pkey, OSSL_PKEY_PARAM_RSA_N, n, ncap, nlen) && bn_export(pkey, OSSL_PKEY_PARAM_RSA_E, e, ecap, elen);
}

int CJWTKShims_ec_export(const EVP_PKEY *pkey, uint8_t *x, uint8_t *y, size_t coordlen) {
    BIGNUM *bx = NULL, *by = NULL;
    int ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 &&
             EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1 &&
             BN_bn2binpad(bx, x, (int)coordlen) == (int)coordlen && BN_bn2binpad(by, y, (int)coordlen) == (int)coordlen;
    BN_free(bx);
    BN_free(by);
    return ok;
}

int CJWTKShims_private_bn_export(const EVP_PKEY *pkey, const char *name, uint8_t *out, size_t cap, size_t pad, size_t *len) {
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return 0;
    int n = BN_num_bytes(bn);
    int ok;
    if (pad > 0) {
        ok = (size_t)n <= pad && pad <= cap && BN_bn2binpad(bn, out, (int)pad) == (int)pad;
        if (ok) *len = pad;
    } else {
        ok = n > 0 && (size_t)n <= cap && BN_bn2bin(bn, out) == n;
        if (ok) *len = (size_t)n;
    }
    BN_clear_free(bn);
    return ok;
}

int CJWTKShims_raw_private(const EVP_PKEY *pkey, uint8_t *out, size_t cap, size_t *len) {
    size_t n = cap;
    if (EVP_PKEY_get_raw_private_key(pkey, out, &n) != 1) return 0;
    *len = n;
    return 1;
}

int CJWTKShims_raw_public(const EVP_PKEY *pkey, uint8_t *out, size_t cap, size_t *len) {
    size_t n = cap;
    if (EVP_PKEY_get_raw_public_key(pkey, out, &n) != 1) return 0;
    *len = n;
    return 1;
}

int CJWTKShims_public_check(EVP_PKEY *pkey) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) return 0;
    int ok = EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* ------------------------------------------------------------------ digests and MACs */

int CJWTKShims_digest(int hashbits, const uint8_t *msg, size_t len, uint8_t *out, size_t *outlen) {
    const EVP_MD *md = CJWTKShims_md(hashbits);
    unsigned int n = 0;
    if (md == NULL || EVP_Digest(msg, len, out, &n, md, NULL) != 1) return 0;
    *outlen = n;
    return 1;
}

EVP_MAC_CTX *CJWTKShims_hmac_template(int hashbits, const uint8_t *key, size_t keylen) {
    const char *name = digest_name(hashbits);
    pthread_once(&fetch_once, fetch_all);
    if (name == NULL || hmac_alg == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_alg);
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0);
    params[1] = OSSL_PARAM_construct_end();
    /* A zero-length key is passed as a 1-byte buffer with length 0 so OpenSSL sees a valid pointer. */
    static const uint8_t empty = 0;
    if (EVP_MAC_init(ctx, keylen > 0 ? key : &empty, keylen, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int CJWTKShims_hmac_compute(const EVP_MAC_CTX *tmpl, const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *outlen) {
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(tmpl);
    if (ctx == NULL) return 0;
    int ok = EVP_MAC_update(ctx, msg, len) == 1 && EVP_MAC_final(ctx, out, outlen, cap) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

int CJWTKShims_hmac_oneshot(int hashbits, const uint8_t *key, size_t keylen, const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *outlen) {
    EVP_MAC_CTX *ctx = CJWTKShims_hmac_template(hashbits, key, keylen);
    if (ctx == NULL) return 0;
    int ok = EVP_MAC_update(ctx, msg, len) == 1 && EVP_MAC_final(ctx, out, outlen, cap) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/* ------------------------------------------------------------------ signatures */

static int setup_padding(EVP_PKEY_CTX *pctx, const EVP_MD *md, int padding) {
    if (padding == CJWTK_PAD_PKCS1) return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    if (padding == CJWTK_PAD_PSS) {
        /* RFC 7518 §3.5: MGF1 with the same hash, salt length equal to the hash output. */
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    }
    return 1;
}

int CJWTKShims_verify(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) {
    const EVP_MD *md = hashbits == 0 ? NULL : CJWTKShims_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    EVP_PKEY_CTX *pctx = NULL; /* owned by ctx */
    int result = -1;
    if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) == 1 && setup_padding(pctx, md, padding)) {
        int r = EVP_DigestVerify(ctx, sig, siglen, msg, msglen);
        result = r == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return result;
}

int CJWTKShims_sign(EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *msg, size_t msglen, uint8_t *out, size_t cap) {
    const EVP_MD *md = hashbits == 0 ? NULL : CJWTKShims_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    EVP_PKEY_CTX *pctx = NULL;
    int result = -1;
    size_t len = cap;
    if (EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) == 1 && setup_padding(pctx, md, padding) &&
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
    pthread_once(&fetch_once, fetch_all);
    const uint8_t *order = curve == 256 ? order_bytes256 : curve == 384 ? order_bytes384 : curve == 521 ? order_bytes521 : NULL;
    size_t coord = curve == 521 ? 66 : (size_t)curve / 8;
    if (order == NULL || !order_bytes_ok || raw == NULL || rawlen != 2 * coord) return -1;
    /* 1 <= r, s <= n - 1: rejects the all-zero "psychic" signature and out-of-range values. */
    if (!scalar_in_range(raw, order, coord) || !scalar_in_range(raw + coord, order, coord)) return -2;
    uint8_t body[2 * (66 + 3)];
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

/* ------------------------------------------------------------------ generation */

EVP_PKEY *CJWTKShims_generate_rsa(unsigned int bits) { return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits); }

EVP_PKEY *CJWTKShims_generate_ec(int curve) {
    const char *group = group_name(curve);
    if (group == NULL) return NULL;
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
}

EVP_PKEY *CJWTKShims_generate_okp(int kind) {
    if (kind == CJWTK_KIND_ED25519) return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (kind == CJWTK_KIND_ED448) return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    return NULL;
}

int CJWTKShims_random(uint8_t *out, size_t len) { return RAND_bytes(out, (int)len) == 1; }

int CJWTKShims_memcmp(const void *a, const void *b, size_t len) { return CRYPTO_memcmp(a, b, len); }

/* ------------------------------------------------------------------ per-thread verification contexts
 *
 * Setting up an OpenSSL 3 verification (EVP_DigestVerifyInit, EVP_MAC_CTX_new/dup) costs 30-40k
 * instructions and ~10 allocations: more than the whole RS256 verification outside OpenSSL. So each
 * thread keeps a few ready contexts, keyed by the key's handle, hash and padding:
 *   RSA, RSA-PSS, ECDSA: an EVP_PKEY_CTX after EVP_PKEY_verify_init + signature md (+ padding, PSS salt
 *     and MGF1), and an EVP_MD_CTX for the digest. Per token: DigestInit_ex2/Update/Final_ex and
 *     EVP_PKEY_verify. EVP_PKEY_verify leaves the context's settings alone, so nothing is re-applied.
 *   EdDSA: an EVP_MD_CTX after EVP_DigestVerifyInit, re-initialised per token with a NULL key (keeps the
 *     key, clears the one-shot state) before EVP_DigestVerify.
 *   HMAC: an EVP_MAC_CTX duplicated from the key's template once, re-keyed per token with
 *     EVP_MAC_init(ctx, NULL, 0, NULL) (same key, fresh state).
 * No lock on this path: the cache is thread-local (a __thread pointer; a pthread key only to run the
 * destructor when the thread exits).
 *
 * Identity: a slot matches on the key's handle pointer AND its 64-bit id (never reused). A slot holds a
 * reference to the handle, so a handle's memory cannot be reused while a slot points at it; and the slot's
 * EVP_PKEY_CTX holds its own reference to the EVP_PKEY. When a key is freed, its handle is marked dead and
 * a global epoch is bumped; every thread, on its next verification, sees the new epoch and frees the slots
 * of dead keys (so a freed HMAC secret does not linger in other threads' contexts longer than that).
 */

struct CJWTKShims_key_handle {
    uint64_t id;
    atomic_int alive;
    atomic_int refs;
};

static atomic_uint_fast64_t next_handle_id = 1;
static atomic_uint_fast64_t retire_epoch = 0;

CJWTKShims_key_handle *CJWTKShims_handle_new(void) {
    CJWTKShims_key_handle *h = malloc(sizeof *h);
    if (h == NULL) return NULL;
    h->id = atomic_fetch_add(&next_handle_id, 1);
    atomic_init(&h->alive, 1);
    atomic_init(&h->refs, 1);
    return h;
}

uint64_t CJWTKShims_handle_id(const CJWTKShims_key_handle *h) { return h == NULL ? 0 : h->id; }

static void handle_release(CJWTKShims_key_handle *h) {
    if (h != NULL && atomic_fetch_sub(&h->refs, 1) == 1) free(h);
}

void CJWTKShims_handle_retire(CJWTKShims_key_handle *h) {
    if (h == NULL) return;
    atomic_store(&h->alive, 0);
    atomic_fetch_add(&retire_epoch, 1);
    handle_release(h);
}

enum { VERIFY_SLOTS = 8, MAC_SLOTS = 8 };

typedef struct {
    CJWTKShims_key_handle *handle; /* +1 ref; NULL = empty */
    uint64_t id;
    int hashbits, padding;
    EVP_PKEY_CTX *pctx; /* RSA / ECDSA */
    EVP_MD_CTX *mctx;   /* digest (RSA / ECDSA) or DigestVerify (EdDSA) */
    uint64_t last_use;
} verify_slot;

typedef struct {
    CJWTKShims_key_handle *handle;
    uint64_t id;
    int hashbits;
    EVP_MAC_CTX *ctx;
    uint64_t last_use;
} mac_slot;

typedef struct {
    verify_slot verify[VERIFY_SLOTS];
    mac_slot mac[MAC_SLOTS];
    uint64_t tick;
    uint64_t epoch;
} thread_cache;

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static int cache_key_ok;
static __thread thread_cache *tls_cache;

static void verify_slot_clear(verify_slot *s) {
    EVP_PKEY_CTX_free(s->pctx);
    EVP_MD_CTX_free(s->mctx);
    handle_release(s->handle);
    memset(s, 0, sizeof *s);
}

static void mac_slot_clear(mac_slot *s) {
    EVP_MAC_CTX_free(s->ctx);
    handle_release(s->handle);
    memset(s, 0, sizeof *s);
}

static void cache_destroy(void *p) {
    thread_cache *c = p;
    if (c == NULL) return;
    for (int i = 0; i < VERIFY_SLOTS; i++) if (c->verify[i].handle != NULL) verify_slot_clear(&c->verify[i]);
    for (int i = 0; i < MAC_SLOTS; i++) if (c->mac[i].handle != NULL) mac_slot_clear(&c->mac[i]);
    free(c);
    if (tls_cache == c) tls_cache = NULL;
}

static void cache_key_create(void) { cache_key_ok = pthread_key_create(&cache_key, cache_destroy) == 0; }

/* This thread's cache, created on first use; NULL only when out of memory (callers then use fresh contexts). */
static thread_cache *thread_cache_get(void) {
    thread_cache *c = tls_cache;
    if (c == NULL) {
        pthread_once(&cache_once, cache_key_create);
        if (!cache_key_ok) return NULL;
        c = calloc(1, sizeof *c);
        if (c == NULL) return NULL;
        if (pthread_setspecific(cache_key, c) != 0) {
            free(c);
            return NULL;
        }
        tls_cache = c;
    }
    uint64_t epoch = atomic_load_explicit(&retire_epoch, memory_order_acquire);
    if (epoch != c->epoch) { /* some key was freed somewhere: drop our slots of dead keys */
        c->epoch = epoch;
        for (int i = 0; i < VERIFY_SLOTS; i++) {
            verify_slot *s = &c->verify[i];
            if (s->handle != NULL && atomic_load(&s->handle->alive) == 0) verify_slot_clear(s);
        }
        for (int i = 0; i < MAC_SLOTS; i++) {
            mac_slot *s = &c->mac[i];
            if (s->handle != NULL && atomic_load(&s->handle->alive) == 0) mac_slot_clear(s);
        }
    }
    c->tick++;
    return c;
}

int CJWTKShims_thread_cache_count(void) {
    thread_cache *c = tls_cache;
    if (c == NULL) return 0;
    int n = 0;
    for (int i = 0; i < VERIFY_SLOTS; i++) n += c->verify[i].handle != NULL;
    for (int i = 0; i < MAC_SLOTS; i++) n += c->mac[i].handle != NULL;
    return n;
}

void CJWTKShims_thread_cache_flush(void) {
    thread_cache *c = tls_cache;
    if (c == NULL) return;
    for (int i = 0; i < VERIFY_SLOTS; i++) if (c->verify[i].handle != NULL) verify_slot_clear(&c->verify[i]);
    for (int i = 0; i < MAC_SLOTS; i++) if (c->mac[i].handle != NULL) mac_slot_clear(&c->mac[i]);
}

/* Builds the contexts of a verify slot. Returns 1, or 0 (nothing kept). */
static int verify_slot_fill(verify_slot *s, CJWTKShims_key_handle *h, EVP_PKEY *pkey, const EVP_MD *md, int hashbits, int padding) {
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ok = mctx != NULL;
    if (ok && hashbits == 0) {
        ok = EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, pkey) == 1;
    } else if (ok) {
        pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        ok = pctx != NULL && EVP_PKEY_verify_init(pctx) == 1 && EVP_PKEY_CTX_set_signature_md(pctx, md) > 0 &&
             setup_padding(pctx, md, padding);
    }
    if (!ok) {
        EVP_PKEY_CTX_free(pctx);
        EVP_MD_CTX_free(mctx);
        return 0;
    }
    atomic_fetch_add(&h->refs, 1);
    s->handle = h;
    s->id = h->id;
    s->hashbits = hashbits;
    s->padding = padding;
    s->pctx = pctx;
    s->mctx = mctx;
    return 1;
}

/* Runs one verification with a slot's contexts: 1 valid, 0 invalid, -1 error. */
static int verify_with_slot(verify_slot *s, const EVP_MD *md, const uint8_t *sig, size_t siglen, const uint8_t *msg, size_t msglen) {
    if (s->hashbits == 0) {
        if (EVP_DigestVerifyInit(s->mctx, NULL, NULL, NULL, NULL) != 1) return -1; /* same key, fresh one-shot state */
        return EVP_DigestVerify(s->mctx, sig, siglen, msg, msglen) == 1 ? 1 : 0;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (EVP_DigestInit_ex2(s->mctx, md, NULL) != 1 || EVP_DigestUpdate(s->mctx, msg, msglen) != 1 ||
        EVP_DigestFinal_ex(s->mctx, digest, &dlen) != 1)
        return -1;
    return EVP_PKEY_verify(s->pctx, sig, siglen, digest, dlen) == 1 ? 1 : 0;
}

int CJWTKShims_verify_cached(CJWTKShims_key_handle *h, EVP_PKEY *pkey, int hashbits, int padding, const uint8_t *sig,
                             size_t siglen, const uint8_t *msg, size_t msglen) {
    const EVP_MD *md = hashbits == 0 ? NULL : CJWTKShims_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    thread_cache *c = h == NULL ? NULL : thread_cache_get();
    if (c == NULL) return CJWTKShims_verify(pkey, hashbits, padding, sig, siglen, msg, msglen);
    verify_slot *slot = NULL, *victim = &c->verify[0];
    for (int i = 0; i < VERIFY_SLOTS; i++) {
        verify_slot *s = &c->verify[i];
        if (s->handle == h && s->id == h->id && s->hashbits == hashbits && s->padding == padding) {
            slot = s;
            break;
        }
        if (s->handle == NULL ? victim->handle != NULL : victim->handle != NULL && s->last_use < victim->last_use)
            victim = s; /* the first empty slot, else the least recently used */
    }
    if (slot == NULL) {
        if (victim->handle != NULL) verify_slot_clear(victim);
        if (!verify_slot_fill(victim, h, pkey, md, hashbits, padding)) {
            ERR_clear_error();
            return CJWTKShims_verify(pkey, hashbits, padding, sig, siglen, msg, msglen);
        }
        slot = victim;
    }
    slot->last_use = c->tick;
    int result = verify_with_slot(slot, md, sig, siglen, msg, msglen);
    if (result != 1) {
        ERR_clear_error(); /* a failed check may queue errors; the valid path queues none */
        if (result < 0) verify_slot_clear(slot); /* never reuse a context in an unknown state */
    }
    return result;
}

int CJWTKShims_hmac_verify_cached(CJWTKShims_key_handle *h, const EVP_MAC_CTX *tmpl, int hashbits, const uint8_t *msg,
                                  size_t len, const uint8_t *sig, size_t siglen) {
    if (tmpl == NULL) return -1;
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    thread_cache *c = h == NULL ? NULL : thread_cache_get();
    mac_slot *slot = NULL;
    if (c != NULL) {
        mac_slot *victim = &c->mac[0];
        for (int i = 0; i < MAC_SLOTS; i++) {
            mac_slot *s = &c->mac[i];
            if (s->handle == h && s->id == h->id && s->hashbits == hashbits) {
                slot = s;
                break;
            }
            if (s->handle == NULL ? victim->handle != NULL : victim->handle != NULL && s->last_use < victim->last_use)
                victim = s;
        }
        if (slot == NULL) {
            if (victim->handle != NULL) mac_slot_clear(victim);
            EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(tmpl);
            if (ctx != NULL) {
                atomic_fetch_add(&h->refs, 1);
                victim->handle = h;
                victim->id = h->id;
                victim->hashbits = hashbits;
                victim->ctx = ctx;
                slot = victim;
            }
        }
    }
    int ok;
    if (slot != NULL) {
        slot->last_use = c->tick;
        ok = EVP_MAC_init(slot->ctx, NULL, 0, NULL) == 1 && EVP_MAC_update(slot->ctx, msg, len) == 1 &&
             EVP_MAC_final(slot->ctx, mac, &maclen, sizeof mac) == 1;
        if (!ok) mac_slot_clear(slot);
    } else {
        ok = CJWTKShims_hmac_compute(tmpl, msg, len, mac, sizeof mac, &maclen);
    }
    if (!ok) {
        ERR_clear_error();
        return -1;
    }
    int equal = maclen == siglen && CRYPTO_memcmp(mac, sig, siglen) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return equal ? 1 : 0;
}
