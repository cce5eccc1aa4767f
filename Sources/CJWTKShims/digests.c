// Digests and HMAC templates.
#include "internal.h"
#include <openssl/core_names.h>

int CJWTKShims_digest(int hashbits, const uint8_t *msg, size_t len, uint8_t *out, size_t *outlen) {
    const EVP_MD *md = cjwtk_md(hashbits);
    unsigned int n = 0;
    if (md == NULL || EVP_Digest(msg, len, out, &n, md, NULL) != 1) return 0;
    *outlen = n;
    return 1;
}

EVP_MAC_CTX *CJWTKShims_hmac_template(int hashbits, const uint8_t *key, size_t keylen) {
    const char *name = cjwtk_digest_name(hashbits);
    EVP_MAC *hmac_alg = cjwtk_hmac_algorithm();
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
