// OpenSSL's per-thread error queue.
#include "CJWTKShims.h"
#include <openssl/err.h>

unsigned long CJWTKShims_take_errors(char *buf, size_t len) {
    unsigned long first = ERR_get_error();
    if (buf != NULL && len > 0) {
        buf[0] = '\0';
        if (first != 0) ERR_error_string_n(first, buf, len);
    }
    while (ERR_get_error() != 0) { /* drain the rest of this thread's queue */ }
    return first;
}

void CJWTKShims_clear_errors(void) { ERR_clear_error(); }
