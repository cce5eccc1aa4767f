/* Shared timing loop for the peer harnesses of dev/compare-peers.sh (header-only; C11 + pthreads).
 *
 * Every harness: `<prog> ALG TOKEN_FILE KEY_FILE THREADS MILLIS`. It sets up once, checks one operation,
 * then each thread runs operations until the deadline (checking the clock every 16). Every operation's
 * result is checked; any failure makes the program exit 1. Prints
 *   ns_per_op=<aggregate wall ns per operation> ops=<n> threads=<t>
 * An algorithm the library cannot do: prints `unsupported` and exits 3.
 * HARNESS_ITERATIONS=n: n operations on one thread, no output (for callgrind / memcheck).
 * The loop is the C counterpart of Sources/JWTKTiming/TimingLoop.swift (jwtk-loop, jwtk bench): one common start
 * and deadline, the clock read every batch, every result counted; change the two together. */
#ifndef JWTK_PEER_HARNESS_H
#define JWTK_PEER_HARNESS_H
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-thread state: created on the thread that uses it. */
typedef void *(*harness_thread_init)(void *shared);
/* One operation: 1 on success. */
typedef int (*harness_op)(void *shared, void *state);

static uint64_t harness_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The whole file, NUL-terminated, trailing whitespace removed. */
static char *harness_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
    buf[n] = 0;
    if (len) *len = (size_t)n;
    return buf;
}

/* base64url (no padding) to bytes; returns the length or -1. */
__attribute__((unused)) static long harness_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap) {
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i], v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        else return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap) return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)o;
}

typedef struct {
    harness_thread_init init;
    harness_op op;
    void *shared;
    uint64_t deadline;
    uint64_t ops, failures;
} harness_job;

static void *harness_thread(void *arg) {
    harness_job *job = arg;
    void *state = job->init ? job->init(job->shared) : NULL;
    uint64_t ops = 0, failures = 0;
    while (harness_now_ns() < job->deadline) {
        for (int i = 0; i < 16; i++) {
            if (job->op(job->shared, state) != 1) failures++;
            ops++;
        }
    }
    job->ops = ops;
    job->failures = failures;
    return NULL;
}

static int harness_main(const char *name, harness_thread_init init, harness_op op, void *shared, int threads, int millis) {
    void *probe = init ? init(shared) : NULL;
    if (op(shared, probe) != 1) { fprintf(stderr, "%s: the first operation failed\n", name); return 1; }
    const char *fixed = getenv("HARNESS_ITERATIONS");
    if (fixed != NULL) {
        long n = atol(fixed);
        for (long i = 0; i < n; i++) if (op(shared, probe) != 1) return 1;
        return 0;
    }
    if (threads < 1 || threads > 64 || millis <= 0) { fprintf(stderr, "%s: bad THREADS/MILLIS\n", name); return 2; }
    harness_job jobs[64];
    pthread_t tids[64];
    uint64_t start = harness_now_ns();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (harness_job){init, op, shared, start + (uint64_t)millis * 1000000ull, 0, 0};
        pthread_create(&tids[t], NULL, harness_thread, &jobs[t]);
    }
    uint64_t ops = 0, failures = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        ops += jobs[t].ops;
        failures += jobs[t].failures;
    }
    double elapsed = (double)(harness_now_ns() - start);
    if (failures != 0) {
        fprintf(stderr, "%s: %llu of %llu operations failed\n", name, (unsigned long long)failures, (unsigned long long)ops);
        return 1;
    }
    printf("ns_per_op=%.1f ops=%llu threads=%d\n", elapsed / (double)ops, (unsigned long long)ops, threads);
    return 0;
}

/* The token's parts: signing input = [0, sig_dot), payload = (first_dot, sig_dot), signature after sig_dot. */
typedef struct {
    const char *token;
    size_t len, first_dot, sig_dot;
} harness_token;

__attribute__((unused)) static harness_token harness_split(const char *token, size_t len) {
    harness_token t = {token, len, 0, 0};
    const char *a = memchr(token, '.', len);
    const char *b = a ? memchr(a + 1, '.', len - (size_t)(a + 1 - token)) : NULL;
    if (a == NULL || b == NULL) { fprintf(stderr, "not a compact JWS\n"); exit(2); }
    t.first_dot = (size_t)(a - token);
    t.sig_dot = (size_t)(b - token);
    return t;
}
#endif
