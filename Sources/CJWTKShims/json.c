// jansson macros, as functions Swift can call.
#include "CJWTKShims.h"

int CJWTKShims_json_typeof(const json_t *json) { return json == NULL ? -1 : (int)json_typeof(json); }
const char *CJWTKShims_json_error_text(const json_error_t *error) { return error->text; }

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The number of "[" and "{" bytes in bytes[0..<count]: the depth pre-scan's bound (a document cannot nest
   deeper than it has opening brackets). 16 bytes per step with SSE2 (the scalar loop cost about 3.5
   instructions per byte, a sixth of jwtk's own work on an HS256 verification); the scalar loop elsewhere. */
size_t CJWTKShims_count_opening_brackets(const uint8_t *bytes, size_t count) {
    size_t total = 0, index = 0;
#if defined(__x86_64__) && defined(__SSE2__)
    const __m128i lower = _mm_set1_epi8(0x20), brace = _mm_set1_epi8(0x7B);
    while (count - index >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(bytes + index));
        /* "[" (0x5B) | 0x20 == "{" (0x7B); no other byte maps to 0x7B */
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v, lower), brace));
        total += (size_t)__builtin_popcount(mask);
        index += 16;
    }
#endif
    for (; index < count; index++) total += (bytes[index] | 0x20) == 0x7B;
    return total;
}
