// Key construction from JWK members, DER import and export, and the facts Swift reads about a key.
// Every OSSL_PARAM name used here is a string literal in static storage.
#include "internal.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <string.h>

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

/* The quick public-key check: for EC, the point is not at infinity, its coordinates are in range and it is on
   the curve. The full check adds n·Q = O, which is redundant on P-256, P-384 and P-521: their cofactor is 1, so
   every point on the curve other than infinity has the prime order n. Off-curve (invalid-curve) points are still
   refused, which is what protects a verifier. */
static int public_check_quick(EVP_PKEY *pkey) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) return 0;
    int ok = EVP_PKEY_public_check_quick(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
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

/* EC public keys are made from one parameters-only key per curve, built once per process. Building the key from
   the group name constructs the EC_GROUP from the curve's tables (EC_GROUP_new_by_curve_name_ex, with its
   Montgomery set-up and generator): about 130k instructions per key, more than the rest of its import. EVP_PKEY_dup
   of the template has the provider copy the group instead (ossl_ec_key_dup: EC_GROUP_copy), about 30k.
   The templates are never changed after ec_templates_make and never freed: EVP_PKEY_dup and EC_GROUP_copy only
   read their source (a group without precomputation shares nothing with its copy), so every thread may dup them
   at once. Each key gets its own group; setting its point writes only into the copy. */
static pthread_once_t ec_templates_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *ec_template256, *ec_template384, *ec_template521;

static EVP_PKEY *ec_parameters(int curve) {
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld != NULL && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, cjwtk_group_name(curve), 0))
        pkey = from_params("EC", EVP_PKEY_KEY_PARAMETERS, bld);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

static void ec_templates_make(void) {
    ec_template256 = ec_parameters(256);
    ec_template384 = ec_parameters(384);
    ec_template521 = ec_parameters(521);
}

/* The curve's template, or NULL (another curve, or OpenSSL could not build it: the caller falls back to the
   group name, so a failure here costs speed, never a key). */
static EVP_PKEY *ec_template(int curve) {
    pthread_once(&ec_templates_once, ec_templates_make);
    return curve == 256 ? ec_template256 : curve == 384 ? ec_template384 : curve == 521 ? ec_template521 : NULL;
}

/* The point goes through EC_POINT_oct2point either way (EVP_PKEY_set1_encoded_public_key reaches it through
   EC_KEY_oct2key, EVP_PKEY_fromdata through the provider's import): the same length, form and on-curve checks,
   so the same points are refused. The quick public check below runs on every key whichever way it was made. */
static EVP_PKEY *ec_public_key(int curve, const uint8_t *point, size_t pointlen) {
    EVP_PKEY *tmpl = ec_template(curve);
    EVP_PKEY *pkey = NULL;
    if (tmpl != NULL) {
        pkey = EVP_PKEY_dup(tmpl);
        if (pkey != NULL && EVP_PKEY_set1_encoded_public_key(pkey, point, pointlen) != 1) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
        return pkey;
    }
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bld != NULL && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, cjwtk_group_name(curve), 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, pointlen)) {
        pkey = from_params("EC", EVP_PKEY_PUBLIC_KEY, bld);
    }
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

EVP_PKEY *CJWTKShims_ec_public(int curve, const uint8_t *point, size_t pointlen) {
    if (cjwtk_group_name(curve) == NULL || point == NULL) return NULL;
    EVP_PKEY *pkey = ec_public_key(curve, point, pointlen);
    if (pkey != NULL && public_check_quick(pkey) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

EVP_PKEY *CJWTKShims_ec_private(int curve, const uint8_t *point, size_t pointlen, const uint8_t *d, size_t dlen) {
    const char *group = cjwtk_group_name(curve);
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
