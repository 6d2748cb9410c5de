/* Checks of single values, shared by config, ops and the CLI. */
#ifndef HY_VALIDATE_H
#define HY_VALIDATE_H

#include <stdbool.h>

/* A plausible email address: local@domain.tld, no spaces or controls, <= 254. */
bool hy_valid_email(const char *s);
/* A sender as RFC 5322 writes a mailbox: "addr@example.com",
 * "<addr@example.com>", "Display Name <addr@example.com>" or
 * "\"Name, Inc.\" <addr@example.com>". The name is UTF-8 without control
 * characters, at most 200 bytes (quotes removed, \" and \\ unescaped).
 * On success *name (may be NULL) gets the name ("" if none) and *addr (may
 * be NULL) the address, both owned by the caller. */
bool hy_parse_mailbox(const char *s, char **name, char **addr);
/* http:// or https:// with a host, no spaces or controls, <= 2048. */
bool hy_valid_http_url(const char *s);
/* True for http(s) URLs whose host is 127.0.0.0/8, ::1 or localhost. */
bool hy_url_is_loopback(const char *url);
/* true/false, yes/no, on/off, 1/0 (case-insensitive). */
bool hy_parse_bool(const char *s, bool *out);
/* Whole string is a decimal integer within [min, max]. */
bool hy_parse_long(const char *s, long min, long max, long *out);
/* ISO 639-1: two lower-case ASCII letters from the registered list. */
bool hy_valid_lang(const char *s);

#endif
