/* The HTTP layer every live integration uses: libcurl + cJSON, one client
 * context (hy_integ) per thread.
 *
 * - One curl easy handle per context, reused across calls, so a step's
 *   requests share connections.
 * - https only; plain http only to a loopback address (what the tests use).
 *   TLS verification is always on; [http] ca_file adds a CA to the system's.
 * - Connect timeout min([http] timeout_ms, 10 s), total timeout timeout_ms.
 * - Errors are classified: connection failures, timeouts, 408, 429 and 5xx
 *   are HY_ERR_TRANSIENT (with err->retry_after from Retry-After, in seconds
 *   or as an HTTP date); other answers are HY_ERR_PERMANENT. A body larger
 *   than 8 MiB, or JSON that does not parse, is permanent and says which
 *   service answered what.
 * - Every request is recorded in the context's call log (service, method,
 *   path with query values masked, status, duration): never a secret, never
 *   a body. The engine stores the log on the step.
 *
 * Nothing here knows about the database. */
#ifndef HY_HTTP_H
#define HY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"

#define HY_HTTP_BODY_CAP (8u * 1024u * 1024u)

/* ---- call log ---- */

typedef struct {
    char service[16];   /* "metabase", "graph", "login", "slack", "smtp" */
    char method[8];     /* "GET", "POST", ...; "SEND" / "CHECK" for SMTP */
    char path[240];     /* "/api/user?query=*&status=*": query values masked */
    int status;         /* HTTP status or last SMTP reply code; 0 = no answer */
    int ms;             /* duration */
    char error[24];     /* "" or what went wrong without an answer: "timeout", "connect", ... */
    int64_t at_ms;      /* when it started (ms since the epoch) */
    int new_connections; /* TCP connections this call opened (0: it reused one) */
} hy_call;

typedef struct hy_call_log {
    hy_call *calls;
    int n, cap;
    long connections;   /* TCP connections opened (reuse keeps this low) */
} hy_call_log;

void call_log_reset(hy_call_log *log);  /* empties it, keeps the memory */
void call_log_free(hy_call_log *log);
/* [{"service","method","path","status","ms"[,"error"]}, ...]; caller deletes. */
cJSON *call_log_json(const hy_call_log *log);

/* ---- the per-thread client context ---- */

typedef struct hy_integ hy_integ;

/* curl_global_init (and so the TLS library's set-up), once per process.
 * Call it on the main thread before starting a thread that may call a live
 * service; a context's first request calls it too (guarded by
 * pthread_once), for a process that never made a thread. */
void integ_global_init(void);
/* Has integ_global_init run in this process? (tests) */
bool integ_global_ready(void);
/* A client context for the calling thread. cfg is borrowed: it must outlive
 * the context. Never NULL. Sets up nothing: the libcurl handle (and the
 * global set-up) comes with the first request, so a context that never
 * calls a live service costs no TLS. */
hy_integ *integ_new(const hy_config *cfg);
void integ_free(hy_integ *in);
/* Where calls are recorded (borrowed; NULL = not recorded). */
void integ_set_log(hy_integ *in, hy_call_log *log);
hy_call_log *integ_log(hy_integ *in);
/* A check run before every HTTP request made through in, e.g. renewing the
 * lease on the list being changed (step_support.h): a non-zero return stops
 * the request with the guard's error. NULL = none. Nothing here knows what
 * the guard does. */
typedef int (*integ_guard_fn)(void *ud, hy_err *err);
void integ_set_guard(hy_integ *in, integ_guard_fn fn, void *ud);
const hy_config *integ_config(const hy_integ *in);
/* Records one call (also used by the SMTP client). */
void integ_record(hy_integ *in, const char *service, const char *method, const char *path, int status,
                  int64_t ms, const char *error, long new_connections);

/* Graph's access token cache (graph.c): the token, or NULL when there is
 * none or it expires within a minute. */
const char *integ_token(hy_integ *in);
/* Stores a fresh token; returns the stored copy (usable for the call at
 * hand even when it lives less than a minute, then no longer cached). */
const char *integ_set_token(hy_integ *in, const char *token, long expires_in_s);
void integ_drop_token(hy_integ *in);

/* ---- requests (for the clients) ---- */

typedef struct {
    const char *service;        /* for messages: "Metabase" */
    const char *log_name;       /* for the call log: "metabase" */
    const char *method;         /* GET, POST, PUT, DELETE */
    const char *base;           /* configured base URL, e.g. https://mb.example.com */
    const char *path;           /* appended to base; may carry a query string */
    const char *const *headers; /* NULL-terminated extra header lines, or NULL */
    const char *body;           /* NULL = no body */
    const char *content_type;   /* of body; default application/json */
    const char *auth_hint;      /* appended to 401/403 errors: "check [metabase] api_key" */
} hy_http_req;

typedef struct {
    long status;
    char *body;                 /* NUL-terminated (may also hold NULs); owned */
    size_t len;
    int retry_after;            /* seconds, 0 if none */
} hy_http_resp;

/* Sends the request. Returns 0 when an HTTP answer came back (whatever its
 * status), else a classified error (transient for connection failures and
 * timeouts). rs is always initialised; free it with http_resp_free. */
int http_perform(hy_integ *in, const hy_http_req *rq, hy_http_resp *rs, hy_err *err);
void http_resp_free(hy_http_resp *rs);
/* True for 2xx. */
bool http_ok(const hy_http_resp *rs);
/* Fills err for a non-2xx answer: "Metabase answered 404 to GET /api/user/7:
 * Not found." (transient for 408/429/5xx, with retry_after). Returns the code. */
int http_status_error(const hy_http_req *rq, const hy_http_resp *rs, hy_err *err);
/* Parses the body as JSON (*out owned by the caller), or fails permanently:
 * "Metabase answered 200 with a body that is not JSON: <start of it>". */
int http_parse_json(const hy_http_req *rq, const hy_http_resp *rs, cJSON **out, hy_err *err);
/* perform + status check (2xx) + parse; *out is NULL for an empty body. */
int http_json(hy_integ *in, const hy_http_req *rq, cJSON **out, hy_err *err);

/* ---- helpers ---- */

/* Retry-After: delta-seconds or an HTTP date (relative to now). Returns
 * seconds to wait, clamped to [0, 3600]; 0 when absent or unparseable. */
int http_parse_retry_after(const char *value, time_t now);
/* A short, single-line, terminal-safe text of an error body (a service's
 * JSON error message, else the start of the text). Into out. */
void http_error_text(const char *body, size_t len, char *out, size_t outsz);
/* Percent-encodes s for a URL query or a form value; caller frees. */
char *http_escape(const char *s);
/* The path as logged: query values masked ("?query=*&status=*"). */
void http_log_path(const char *path, char *out, size_t outsz);
/* Is url https, or http to 127.0.0.0/8, ::1 or localhost? Sets *plain_http. */
bool http_url_allowed(const char *url, bool *plain_http);
/* Reads a JSON number as a Metabase-style integer id (> 0), else 0. */
long json_id(const cJSON *item);
/* A string member (case-sensitive key), or NULL. */
const char *json_str(const cJSON *obj, const char *key);
/* A copy of a string member, "" when it is missing or not a string; caller frees. */
char *json_strdup(const cJSON *obj, const char *key);

#endif
