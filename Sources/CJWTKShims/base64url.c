// base64url.c: the vector part of strict base64url decoding (RFC 4648 §5), 16 characters at a time.
//
// Swift has no portable byte shuffle and Swift 6.3 lowers SIMD comparisons lane by lane, so the block loop
// lives here, in SSE2 (the x86-64 baseline: no CPU dispatch). Whole 16-character blocks only; the Swift caller
// decodes the tail (and applies the unused-bits rule to the last partial group) with its scalar loop. Other
// architectures consume nothing and the scalar loop decodes everything.
#include "CJWTKShims.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>

// 0xFF in each byte lane where lo <= v <= hi. Signed compares are exact here: the alphabet is ASCII, and a byte
// >= 0x80 is negative as a signed lane, so it falls in no range and is classified invalid.
static inline __m128i in_range(__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))), _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

size_t CJWTKShims_base64url_decode_blocks(const uint8_t *input, size_t count, uint8_t *output, int *invalid) {
    size_t consumed = 0;
    __m128i all_valid = _mm_set1_epi8((char)0xFF);
    uint8_t *out = output;
    while (count - consumed >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(input + consumed));
        __m128i upper = in_range(v, 'A', 'Z');
        __m128i lower = in_range(v, 'a', 'z');
        __m128i digit = in_range(v, '0', '9');
        __m128i dash = _mm_cmpeq_epi8(v, _mm_set1_epi8('-'));
        __m128i underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
        __m128i valid = _mm_or_si128(_mm_or_si128(_mm_or_si128(upper, lower), _mm_or_si128(digit, dash)), underscore);
        all_valid = _mm_and_si128(all_valid, valid);
        // The classes are disjoint: the offset onto the 6-bit values is a sum of masked constants.
        __m128i offset = _mm_and_si128(upper, _mm_set1_epi8(-65));
        offset = _mm_or_si128(offset, _mm_and_si128(lower, _mm_set1_epi8(-71)));
        offset = _mm_or_si128(offset, _mm_and_si128(digit, _mm_set1_epi8(4)));
        offset = _mm_or_si128(offset, _mm_and_si128(dash, _mm_set1_epi8(62 - '-')));
        offset = _mm_or_si128(offset, _mm_and_si128(underscore, _mm_set1_epi8(63 - '_')));
        __m128i sextets = _mm_add_epi8(v, offset);
        // 16-bit lanes hold [a, b] (a the low byte): a << 6 | b, 12 bits.
        __m128i pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(sextets, _mm_set1_epi16(0x3F)), 6), _mm_srli_epi16(sextets, 8));
        // 32-bit lanes hold [x, y] (x the low half): x << 12 | y, the 24 bits of one group of 4 characters.
        __m128i groups = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
        // Each group's bytes are written most significant first: 3 bytes per lane, 12 per block.
        uint32_t lanes[4];
        _mm_storeu_si128((__m128i *)lanes, groups);
        for (int lane = 0; lane < 4; lane++) {
            uint32_t g = lanes[lane];
            out[0] = (uint8_t)(g >> 16);
            out[1] = (uint8_t)(g >> 8);
            out[2] = (uint8_t)g;
            out += 3;
        }
        consumed += 16;
    }
    *invalid = _mm_movemask_epi8(all_valid) != 0xFFFF;
    return consumed;
}

#else

size_t CJWTKShims_base64url_decode_blocks(const uint8_t *input, size_t count, uint8_t *output, int *invalid) {
    (void)input;
    (void)count;
    (void)output;
    *invalid = 0;
    return 0;
}

#endif
