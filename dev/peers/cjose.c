/* cjose 0.6 (Debian libcjose-dev) harness: one op = cjose_jws_import (parse), cjose_jws_verify with a JWK
 * imported once, the payload read and parsed with jansson, exp checked, release.
 * Usage: cjose ALG TOKEN_FILE JWK_FILE THREADS MILLIS */
#include "harness.h"
#include <cjose/cjose.h>
#include <jansson.h>

typedef struct {
    const char *token;
    size_t toklen;
    cjose_jwk_t *jwk;
} cj_shared;

static int cj_op(void *arg, void *state) {
    (void)state;
    cj_shared *s = arg;
    cjose_err err;
    cjose_jws_t *jws = cjose_jws_import(s->token, s->toklen, &err);
    if (jws == NULL) return 0;
    int ok = 0;
    uint8_t *plain = NULL;
    size_t plainlen = 0;
    if (cjose_jws_verify(jws, s->jwk, &err) && cjose_jws_get_plaintext(jws, &plain, &plainlen, &err)) {
        json_error_t jerr;
        json_t *claims = json_loadb((const char *)plain, plainlen, 0, &jerr);
        ok = claims != NULL && json_integer_value(json_object_get(claims, "exp")) > (json_int_t)time(NULL);
        json_decref(claims);
    }
    cjose_jws_release(jws);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: cjose ALG TOKEN_FILE JWK_FILE THREADS MILLIS\n"); return 2; }
    if (strcmp(argv[1], "EdDSA") == 0) { printf("unsupported\n"); return 3; }
    static cj_shared s;
    s.token = harness_read_file(argv[2], &s.toklen);
    size_t n;
    char *jwk = harness_read_file(argv[3], &n);
    cjose_err err;
    s.jwk = cjose_jwk_import(jwk, n, &err);
    if (s.jwk == NULL) { fprintf(stderr, "cjose: JWK import failed: %s\n", err.message); return 2; }
    return harness_main("cjose", NULL, cj_op, &s, atoi(argv[4]), atoi(argv[5]));
}
