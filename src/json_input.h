/* JSON that people give as input (exec input --json-file): cJSON accepts
 * two things that would silently change it (dependencies.md): a key given
 * twice (the first wins) and "\u0000" in a string (the string is cut
 * there). Both are refused here with a field error. */
#ifndef HY_JSON_INPUT_H
#define HY_JSON_INPUT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Parses len bytes of text as one JSON object of field -> value. Not JSON,
 * or not an object: HY_ERR_INVALID with a message; a key given twice or a
 * NUL (escaped or raw) in a key or value: a field error under that key.
 * *out is the object (caller deletes) or NULL. */
int hy_json_input_parse(const char *text, size_t len, cJSON **out, hy_err *err);
/* A field error for each key of obj given more than once (obj may come from
 * any caller); returns HY_ERR_INVALID if there was one, else 0. */
int hy_json_input_check_keys(const cJSON *obj, hy_err *err);

#endif
