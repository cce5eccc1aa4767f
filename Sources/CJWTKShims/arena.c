// A per-parse arena for jansson: every allocation jansson makes during one of jwtk's json_loadb calls comes
// from one block that the caller frees at once, so a parsed header or claim set costs one malloc instead of
// ~15-50 and is dropped without walking it (json_decref).
//
// Invariants that make this safe for every other jansson user in the process:
// - The hook is installed once, when the program loads (a constructor, before main and before any thread
//   of the program's own exists; pthread_once keeps it to one time), and chains to the functions that were
//   installed before it; outside an arena parse both hook functions just call those. Installing it at load
//   keeps jansson's own rule, that the allocation functions are set before any other jansson call.
// - The arena is active only on the parsing thread and only during the json_loadb call (a thread-local
//   pointer), so other threads' jansson calls, concurrent or not, never see it.
// - While active, free is a no-op: during json_loadb jansson frees only memory it allocated in that same call
//   (lexer buffers, replaced hashtable buckets, values of an error path); the true/false/null singletons are
//   static. That memory goes when the arena goes.
// - A document parsed into an arena is never passed to json_decref (nor json_object_set*/del): the owner
//   frees the arena instead (JSONDocument.deinit). No json_t pointer leaves the Swift Backend.
// - When someone installed other allocation functions after the hook, the hook is no longer jansson's: the
//   parse then runs without an arena and the document is released with json_decref as usual. Replacing them
//   *while* jansson is in use on another thread breaks jansson's rule (set before use): jansson's own frees
//   of that parse would then reach the new allocator with arena pointers. That cannot be guarded against
//   from here; it is the rule every jansson user in a process must keep.
// - A parse nested in an arena parse (none exists today) runs outside the arena, with the outer arena set
//   aside for its duration, so it never takes memory from it.
// - The "free is a no-op" rule was checked against jansson 2.14's load.c, value.c, hashtable.c and
//   strbuffer.c, which allocate only through malloc/free. Other versions parse without an arena until they
//   are reviewed: the headers' version at build time and the library's at run time (jansson_version_cmp)
//   must both be 2.14.x. CJWTKShims_arena_supported() says whether the arena is in use.
#include "CJWTKShims.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#if JANSSON_MAJOR_VERSION == 2 && JANSSON_MINOR_VERSION == 14
#define CJWTK_ARENA_REVIEWED 1
#else
#define CJWTK_ARENA_REVIEWED 0
#endif

typedef struct cjwtk_chunk {
    struct cjwtk_chunk *next;
    size_t capacity;
    size_t used;
    size_t pad; /* keeps data 16-byte aligned: the header is 32 bytes */
    unsigned char data[];
} cjwtk_chunk;

/* jansson's allocation functions before the hook. Stored (release) before the hook is installed, loaded
   (acquire) by the hook, which other threads may enter without going through pthread_once. */
static _Atomic(json_malloc_t) previous_malloc;
static _Atomic(json_free_t) previous_free;
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static _Thread_local cjwtk_chunk *active;

/* Each thread keeps the first chunk of the last arena it freed (at most CJWTK_SPARE_MAX bytes) and starts its
   next parse in it: a verification then makes no malloc for its claims. Without it every parse asked malloc
   for a block of a few KB, and glibc answers a request of that size (a large bin) by first consolidating all
   its fast bins: the small blocks OpenSSL had just freed (227 per ES384 verification) were merged, and its
   next verification paid the slow path for each (about 30k instructions per ES384 verification).
   The spare is held both in a thread-local (which leak checkers scan) and under a pthread key whose
   destructor frees it when the thread exits; a chunk freed during that exit is freed, not kept. */
#define CJWTK_SPARE_MAX ((size_t)64 * 1024)
static _Thread_local cjwtk_chunk *spare;
static _Thread_local int spare_closed;
static pthread_key_t spare_key;
static _Atomic int spare_key_ready;

static void spare_release(void *chunk) {
    spare_closed = 1;
    if (chunk == spare) spare = NULL;
    free(chunk);
}

/* The thread's spare when it holds `capacity`, else a new chunk. */
static cjwtk_chunk *chunk_first(size_t capacity);

static cjwtk_chunk *chunk_new(size_t capacity) {
    if (capacity > SIZE_MAX - sizeof(cjwtk_chunk)) return NULL;
    cjwtk_chunk *chunk = malloc(sizeof(cjwtk_chunk) + capacity);
    if (chunk == NULL) return NULL;
    chunk->next = NULL;
    chunk->capacity = capacity;
    chunk->used = 0;
    return chunk;
}

/* Bump allocation from the first chunk; a request that does not fit gets a new first chunk (the previous ones
   stay on the list, freed with the arena). */
static void *arena_alloc(cjwtk_chunk **head, size_t size) {
    size_t rounded = (size + 15) & ~(size_t)15;
    if (rounded < size) return NULL;
    cjwtk_chunk *chunk = *head;
    if (chunk->capacity - chunk->used < rounded) {
        size_t capacity = chunk->capacity <= SIZE_MAX / 2 ? chunk->capacity * 2 : SIZE_MAX;
        if (capacity < rounded) capacity = rounded;
        cjwtk_chunk *grown = chunk_new(capacity);
        if (grown == NULL) return NULL;
        grown->next = chunk;
        *head = chunk = grown;
    }
    void *out = chunk->data + chunk->used;
    chunk->used += rounded;
    return out;
}

static void *hook_malloc(size_t size) {
    if (active != NULL) return arena_alloc(&active, size);
    return atomic_load_explicit(&previous_malloc, memory_order_acquire)(size);
}

static void hook_free(void *pointer) {
    if (active != NULL) return; /* the arena's memory goes with the arena */
    atomic_load_explicit(&previous_free, memory_order_acquire)(pointer);
}

/* 1 when the hook is installed and the loaded libjansson is a reviewed version; written once in install_hook. */
static _Atomic int arena_enabled;

static cjwtk_chunk *chunk_first(size_t capacity) {
    cjwtk_chunk *chunk = spare;
    if (chunk != NULL && chunk->capacity >= capacity) {
        spare = NULL;
        pthread_setspecific(spare_key, NULL);
        chunk->next = NULL;
        chunk->used = 0;
        return chunk;
    }
    return chunk_new(capacity);
}

/* Keeps `chunk` as this thread's spare when the slot is free, the chunk is not too large and the thread is not
   exiting; returns whether it was kept. */
static int spare_keep(cjwtk_chunk *chunk) {
    if (spare != NULL || spare_closed || chunk->capacity > CJWTK_SPARE_MAX) return 0;
    if (!atomic_load_explicit(&spare_key_ready, memory_order_acquire)) return 0;
    if (pthread_setspecific(spare_key, chunk) != 0) return 0;
    spare = chunk;
    return 1;
}

static void install_hook(void) {
    if (pthread_key_create(&spare_key, spare_release) == 0) atomic_store_explicit(&spare_key_ready, 1, memory_order_release);
    if (!CJWTK_ARENA_REVIEWED || jansson_version_cmp(2, 14, 0) < 0 || jansson_version_cmp(2, 15, 0) >= 0) return;
    json_malloc_t before_malloc = NULL;
    json_free_t before_free = NULL;
    json_get_alloc_funcs(&before_malloc, &before_free);
    atomic_store_explicit(&previous_malloc, before_malloc != NULL ? before_malloc : malloc, memory_order_release);
    atomic_store_explicit(&previous_free, before_free != NULL ? before_free : free, memory_order_release);
    json_set_alloc_funcs(hook_malloc, hook_free);
    atomic_store_explicit(&arena_enabled, 1, memory_order_release);
}

__attribute__((constructor)) static void install_at_load(void) { pthread_once(&hook_once, install_hook); }

int CJWTKShims_arena_supported(void) {
    pthread_once(&hook_once, install_hook);
    return atomic_load_explicit(&arena_enabled, memory_order_acquire);
}

json_t *CJWTKShims_json_loadb_arena(const char *buffer, size_t length, size_t flags, json_error_t *error, void **arena) {
    *arena = NULL;
    pthread_once(&hook_once, install_hook);
    if (!atomic_load_explicit(&arena_enabled, memory_order_acquire)) return json_loadb(buffer, length, flags, error);
    if (active != NULL) {
        /* nested: outside the arena, with the outer one set aside */
        cjwtk_chunk *outer = active;
        active = NULL;
        json_t *root = json_loadb(buffer, length, flags, error);
        active = outer;
        return root;
    }
    json_malloc_t current_malloc;
    json_free_t current_free;
    json_get_alloc_funcs(&current_malloc, &current_free);
    if (current_malloc != hook_malloc || current_free != hook_free) return json_loadb(buffer, length, flags, error);
    /* jansson asks for about 6 bytes per input byte on JWT headers and claim sets; one chunk nearly always. */
    size_t initial = length <= ((size_t)1 << 24) ? length * 8 + 512 : length;
    cjwtk_chunk *head = chunk_first(initial);
    if (head == NULL) return json_loadb(buffer, length, flags, error);
    active = head;
    json_t *root = json_loadb(buffer, length, flags, error);
    head = active;
    active = NULL;
    if (root == NULL) {
        CJWTKShims_arena_free(head);
        return NULL;
    }
    *arena = head;
    return root;
}

void CJWTKShims_arena_free(void *arena) {
    cjwtk_chunk *chunk = arena;
    while (chunk != NULL) {
        cjwtk_chunk *next = chunk->next;
        if (!spare_keep(chunk)) free(chunk);
        chunk = next;
    }
}

int CJWTKShims_arena_has_spare(void) { return spare != NULL; }

void CJWTKShims_arena_drop_spare(void) {
    cjwtk_chunk *chunk = spare;
    if (chunk == NULL) return;
    spare = NULL;
    pthread_setspecific(spare_key, NULL);
    free(chunk);
}

size_t CJWTKShims_arena_chunks(const void *arena) {
    size_t count = 0;
    for (const cjwtk_chunk *chunk = arena; chunk != NULL; chunk = chunk->next) count++;
    return count;
}

void CJWTKShims_json_free(void *pointer) {
    json_malloc_t current_malloc;
    json_free_t current_free;
    json_get_alloc_funcs(&current_malloc, &current_free);
    if (current_free != NULL) current_free(pointer);
    else free(pointer);
}
