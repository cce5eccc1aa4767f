#include "internal.h"

#include <openssl/err.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
             cjwtk_setup_padding(pctx, md, padding);
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
    const EVP_MD *md = hashbits == 0 ? NULL : cjwtk_md(hashbits);
    if (hashbits != 0 && md == NULL) return -1;
    thread_cache *c = h == NULL ? NULL : thread_cache_get();
    if (c == NULL) return cjwtk_verify_fresh(pkey, hashbits, padding, sig, siglen, msg, msglen);
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
            return cjwtk_verify_fresh(pkey, hashbits, padding, sig, siglen, msg, msglen);
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
