// Digests, HMAC and the P-curve orders, fetched once per process (internal.h).
#include "internal.h"
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <pthread.h>

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

const EVP_MD *cjwtk_md(int hashbits) {
    pthread_once(&fetch_once, fetch_all);
    switch (hashbits) {
    case 256: return md256;
    case 384: return md384;
    case 512: return md512;
    default: return NULL;
    }
}

const char *cjwtk_digest_name(int hashbits) {
    switch (hashbits) {
    case 256: return "SHA256";
    case 384: return "SHA384";
    case 512: return "SHA512";
    default: return NULL;
    }
}

const char *cjwtk_group_name(int curve) {
    switch (curve) {
    case 256: return "P-256";
    case 384: return "P-384";
    case 521: return "P-521";
    default: return NULL;
    }
}

EVP_MAC *cjwtk_hmac_algorithm(void) {
    pthread_once(&fetch_once, fetch_all);
    return hmac_alg;
}

const uint8_t *cjwtk_order_bytes(int curve) {
    pthread_once(&fetch_once, fetch_all);
    if (!order_bytes_ok) return NULL;
    return curve == 256 ? order_bytes256 : curve == 384 ? order_bytes384 : curve == 521 ? order_bytes521 : NULL;
}
