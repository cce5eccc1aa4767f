// jansson macros, as functions Swift can call.
#include "CJWTKShims.h"

int CJWTKShims_json_typeof(const json_t *json) { return json == NULL ? -1 : (int)json_typeof(json); }
const char *CJWTKShims_json_error_text(const json_error_t *error) { return error->text; }
