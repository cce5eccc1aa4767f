// Key generation (EVP_PKEY_Q_keygen is variadic), randomness and constant-time comparison.
#include "internal.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>

EVP_PKEY *CJWTKShims_generate_rsa(unsigned int bits) { return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits); }

EVP_PKEY *CJWTKShims_generate_ec(int curve) {
    const char *group = cjwtk_group_name(curve);
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
