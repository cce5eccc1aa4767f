// jansson (JSON parsing). Macros that do not import into Swift are wrapped in CJWTKShims.
#include <jansson.h>
