/* Text from the database or a service is sanitized before it reaches a
 * terminal (TUI and CLI): control characters (C0, DEL, C1), escape sequences
 * and Unicode bidi/format controls are shown escaped (\x1b, \u202e), invalid
 * UTF-8 bytes as \xNN. Printable text, including non-ASCII, is kept. */
#ifndef HY_SANITIZE_H
#define HY_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns a new string; caller frees. NULL in gives "". */
char *hy_sanitize(const char *in);
/* Into a fixed buffer, truncated on a character boundary. Returns out. */
char *hy_sanitize_to(const char *in, char *out, size_t outsz);
/* Makes printed JSON terminal-safe: escapes bidi/format controls and C1
 * controls inside it as \uXXXX (cJSON already escapes C0). Caller frees. */
char *hy_json_safe(const char *json);
/* True if the code point is a bidi or invisible format control we escape. */
bool hy_is_format_control(unsigned cp);
/* Decodes one UTF-8 sequence; returns its length (0 if invalid) and the code point. */
int hy_utf8_decode(const unsigned char *s, size_t avail, unsigned *cp);
/* True if s is valid UTF-8 with no control characters except those in allow. */
bool hy_text_is_clean(const char *s, const char *allow);

#endif
