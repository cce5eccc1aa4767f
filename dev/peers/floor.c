/* The OpenSSL floor: only the signature work of one verification, with a pre-built key and the signature
 * already decoded (DER for ECDSA). No parsing, no claims. Two variants:
 *   floor-reuse  contexts kept per thread (the fastest honest OpenSSL 3 loop):
 *                RSA/PSS/ECDSA: EVP_PKEY_CTX after verify_init + md + padding, and an EVP_MD_CTX;
 *                per op DigestInit_ex2/Update/Final_ex + EVP_PKEY_verify.
 *                EdDSA: an EVP_MD_CTX after DigestVerifyInit; per op EVP_DigestVerify.
 *                HMAC: a keyed EVP_MAC_CTX; per op EVP_MAC_init(ctx, NULL, 0, NULL)/update/final + CRYPTO_memcmp.
 *   floor-fresh  new contexts per op: EVP_DigestVerifyInit + EVP_DigestVerify; HMAC: HMAC() one-shot.
 *   jansson      the other unavoidable cost: json_loadb (JSON_REJECT_DUPLICATES) + json_decref of the
 *                token's claims, decoded once beforehand. floor-reuse + jansson is the full floor of a
 *                jansson + OpenSSL verifier.
 * Usage: floor reuse|fresh|jansson ALG TOKEN_FILE KEY_FILE THREADS MILLIS
 * KEY_FILE: a public-key PEM (RS/PS/ES/EdDSA) or the JWK JSON of the secret (HS). */
#include "harness.h"
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

typedef struct {
    int fresh, jansson, hmac, eddsa, pss, hashbits;
    uint8_t claims[8192];
    size_t claimslen;
    const EVP_MD *md;
    EVP_PKEY *pkey;
    EVP_MAC *mac;
    uint8_t secret[256];
    size_t secretlen;
    const uint8_t *msg;
    size_t msglen;
    uint8_t sig[1024];
    size_t siglen;
} floor_shared;

typedef struct {
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX *mctx;
    EVP_MAC_CTX *mac;
} floor_state;

static int set_padding(EVP_PKEY_CTX *pctx, const floor_shared *s) {
    if (s->eddsa || EVP_PKEY_get_base_id(s->pkey) == EVP_PKEY_EC) return 1;
    if (!s->pss) return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, s->md) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
}

static void *floor_init(void *arg) {
    floor_shared *s = arg;
    floor_state *st = calloc(1, sizeof *st);
    if (s->fresh) return st;
    if (s->hmac) {
        st->mac = EVP_MAC_CTX_new(s->mac);
        OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(s->md), 0),
                                OSSL_PARAM_construct_end()};
        if (EVP_MAC_init(st->mac, s->secret, s->secretlen, params) != 1) exit(2);
    } else if (s->eddsa) {
        st->mctx = EVP_MD_CTX_new();
        if (EVP_DigestVerifyInit(st->mctx, NULL, NULL, NULL, s->pkey) != 1) exit(2);
    } else {
        st->mctx = EVP_MD_CTX_new();
        st->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, s->pkey, NULL);
        if (EVP_PKEY_verify_init(st->pctx) != 1 || EVP_PKEY_CTX_set_signature_md(st->pctx, s->md) <= 0 || !set_padding(st->pctx, s))
            exit(2);
    }
    return st;
}

static int floor_op(void *arg, void *state) {
    floor_shared *s = arg;
    floor_state *st = state;
    if (s->jansson) {
        json_error_t error;
        json_t *claims = json_loadb((const char *)s->claims, s->claimslen, JSON_REJECT_DUPLICATES, &error);
        if (claims == NULL) return 0;
        int ok = json_is_object(claims);
        json_decref(claims);
        return ok;
    }
    if (s->hmac) {
        uint8_t mac[EVP_MAX_MD_SIZE];
        size_t maclen = 0;
        if (s->fresh) {
            unsigned int n = 0;
            if (HMAC(s->md, s->secret, (int)s->secretlen, s->msg, s->msglen, mac, &n) == NULL) return 0;
            maclen = n;
        } else if (EVP_MAC_init(st->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(st->mac, s->msg, s->msglen) != 1 ||
                   EVP_MAC_final(st->mac, mac, &maclen, sizeof mac) != 1) {
            return 0;
        }
        return maclen == s->siglen && CRYPTO_memcmp(mac, s->sig, maclen) == 0;
    }
    if (s->fresh) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        int ok = EVP_DigestVerifyInit(ctx, &pctx, s->eddsa ? NULL : s->md, NULL, s->pkey) == 1 && set_padding(pctx, s) &&
                 EVP_DigestVerify(ctx, s->sig, s->siglen, s->msg, s->msglen) == 1;
        EVP_MD_CTX_free(ctx);
        return ok;
    }
    if (s->eddsa) return EVP_DigestVerify(st->mctx, s->sig, s->siglen, s->msg, s->msglen) == 1;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (EVP_DigestInit_ex2(st->mctx, s->md, NULL) != 1 || EVP_DigestUpdate(st->mctx, s->msg, s->msglen) != 1 ||
        EVP_DigestFinal_ex(st->mctx, digest, &dlen) != 1)
        return 0;
    return EVP_PKEY_verify(st->pctx, s->sig, s->siglen, digest, dlen) == 1;
}

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: floor reuse|fresh|jansson ALG TOKEN_FILE KEY_FILE THREADS MILLIS\n"); return 2; }
    static floor_shared s;
    s.fresh = strcmp(argv[1], "fresh") == 0;
    s.jansson = strcmp(argv[1], "jansson") == 0;
    const char *alg = argv[2];
    s.hmac = alg[0] == 'H';
    s.eddsa = strcmp(alg, "EdDSA") == 0;
    s.pss = alg[0] == 'P';
    s.hashbits = s.eddsa ? 0 : atoi(alg + 2);
    s.md = s.eddsa ? NULL : EVP_MD_fetch(NULL, s.hashbits == 256 ? "SHA256" : s.hashbits == 384 ? "SHA384" : "SHA512", NULL);
    size_t toklen;
    char *token = harness_read_file(argv[3], &toklen);
    harness_token t = harness_split(token, toklen);
    s.msg = (const uint8_t *)token;
    s.msglen = t.sig_dot;
    uint8_t raw[1024];
    long rawlen = harness_b64url_decode(token + t.sig_dot + 1, toklen - t.sig_dot - 1, raw, sizeof raw);
    if (rawlen < 0) { fprintf(stderr, "bad signature encoding\n"); return 2; }
    if (s.hmac) {
        json_error_t err;
        json_t *jwk = json_load_file(argv[4], 0, &err);
        const char *k = jwk ? json_string_value(json_object_get(jwk, "k")) : NULL;
        long n = k ? harness_b64url_decode(k, strlen(k), s.secret, sizeof s.secret) : -1;
        if (n < 0) { fprintf(stderr, "bad HMAC JWK\n"); return 2; }
        s.secretlen = (size_t)n;
        s.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    } else {
        FILE *f = fopen(argv[4], "r");
        s.pkey = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
        if (f) fclose(f);
        if (s.pkey == NULL) { fprintf(stderr, "bad PEM key\n"); return 2; }
    }
    if (alg[0] == 'E' && !s.eddsa) { /* raw R||S to DER, once */
        size_t half = (size_t)rawlen / 2;
        ECDSA_SIG *es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, BN_bin2bn(raw, (int)half, NULL), BN_bin2bn(raw + half, (int)half, NULL));
        unsigned char *p = s.sig;
        s.siglen = (size_t)i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
    } else {
        memcpy(s.sig, raw, (size_t)rawlen);
        s.siglen = (size_t)rawlen;
    }
    if (s.jansson) {
        long n = harness_b64url_decode(token + t.first_dot + 1, t.sig_dot - t.first_dot - 1, s.claims, sizeof s.claims);
        if (n < 0) { fprintf(stderr, "bad payload encoding\n"); return 2; }
        s.claimslen = (size_t)n;
        s.fresh = 1; /* no contexts to build per thread */
        return harness_main("jansson", floor_init, floor_op, &s, atoi(argv[5]), atoi(argv[6]));
    }
    return harness_main(s.fresh ? "floor-fresh" : "floor-reuse", floor_init, floor_op, &s, atoi(argv[5]), atoi(argv[6]));
}
