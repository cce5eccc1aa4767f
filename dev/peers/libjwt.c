/* libjwt 1.10 (Debian libjwt-dev) harness: one op = jwt_decode (parse + signature with the PEM key, or the
 * raw secret for HS*), algorithm check, exp read and checked, jwt_free.
 * Usage: libjwt ALG TOKEN_FILE KEY_FILE THREADS MILLIS  (KEY_FILE: public PEM, or the secret's JWK for HS*) */
#include "harness.h"
#include <jansson.h>
#include <jwt.h>

typedef struct {
    const char *token;
    const unsigned char *key;
    int keylen;
    jwt_alg_t alg;
} lj_shared;

static int lj_op(void *arg, void *state) {
    (void)state;
    lj_shared *s = arg;
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, s->token, s->key, s->keylen) != 0 || jwt == NULL) return 0;
    int ok = jwt_get_alg(jwt) == s->alg && jwt_get_grant_int(jwt, "exp") > (long)time(NULL);
    jwt_free(jwt);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: libjwt ALG TOKEN_FILE KEY_FILE THREADS MILLIS\n"); return 2; }
    static lj_shared s;
    s.alg = jwt_str_alg(argv[1]);
    if (s.alg == JWT_ALG_INVAL || s.alg == JWT_ALG_NONE) { printf("unsupported\n"); return 3; }
    s.token = harness_read_file(argv[2], NULL);
    if (argv[1][0] == 'H') {
        static uint8_t secret[256];
        json_error_t err;
        json_t *jwk = json_load_file(argv[3], 0, &err);
        const char *k = jwk ? json_string_value(json_object_get(jwk, "k")) : NULL;
        long n = k ? harness_b64url_decode(k, strlen(k), secret, sizeof secret) : -1;
        if (n < 0) return 2;
        s.key = secret;
        s.keylen = (int)n;
    } else {
        size_t n;
        s.key = (const unsigned char *)harness_read_file(argv[3], &n);
        s.keylen = (int)n;
    }
    return harness_main("libjwt", NULL, lj_op, &s, atoi(argv[4]), atoi(argv[5]));
}
