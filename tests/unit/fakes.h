/* Helpers for tests that run the real clients against the fake services of
 * tests/fakes/ (started as /usr/bin/python3 processes on 127.0.0.1, port 0). */
#ifndef HY_TEST_FAKES_H
#define HY_TEST_FAKES_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "integrations/http.h"

typedef struct {
    pid_t pid;
    int port;
    char dir[512];          /* its private directory (port file, log, smtp mail) */
    char url[64];           /* http://127.0.0.1:PORT (https:// with TLS) */
    char ca[512];           /* the certificate to trust for https, or "" */
} t_fake;

/* A new private temp directory (caller frees; removed with t_rmdir). */
char *t_tmpdir(void);
void t_rmdir(const char *dir);

/* Starts tests/fakes/fake_NAME.py with extra arguments (NULL-terminated
 * list, may be NULL) and waits (polling) until it listens. Fails the test if
 * it does not start. */
t_fake *t_fake_start(const char *name, const char *const *args);
/* Same, serving https with DIR/NAME.pem + .key made by t_make_cert. */
t_fake *t_fake_start_tls(const char *name, const char *cert, const char *key, const char *const *args);
/* SIGTERM, wait; removes its directory. NULL is fine. */
void t_fake_stop(t_fake *f);

/* Control API of the HTTP fakes. Results are owned by the caller. */
cJSON *t_fake_get(t_fake *f, const char *path);
cJSON *t_fake_post(t_fake *f, const char *path, const char *json);
void t_fake_reset(t_fake *f);
void t_fake_fault(t_fake *f, const char *fault_json);
cJSON *t_fake_state(t_fake *f);
/* requests[key] from /_fake/state, e.g. "POST /api/user" (0 if none). */
int t_fake_count(t_fake *f, const char *key);
/* An integer of /_fake/state, e.g. "graph_writes", "tokens_issued". */
int t_fake_state_int(t_fake *f, const char *key);
/* The fake Metabase's permissions graph entry groups.<gid>.<db> in a
 * /_fake/state answer (owned by it), or NULL. */
const cJSON *t_mb_graph_entry(const cJSON *state, long gid, long db);

/* Makes DIR/NAME.pem and DIR/NAME.key (self-signed, 127.0.0.1 + localhost). */
void t_make_cert(const char *dir, const char *name);

/* The SMTP fake's state.json (NULL if unreadable). */
cJSON *t_smtp_state(t_fake *f);
/* Replaces the SMTP fake's faults (a JSON list, see fake_smtp.py); "[]" clears them. */
void t_smtp_fault(t_fake *f, const char *faults_json);
/* How many messages the SMTP fake kept (answered or not). */
int t_smtp_messages(t_fake *f);

/* A config with every integration off, fast timeouts (timeout_ms) and the
 * given fake URLs (NULL = that integration stays off). Free with config_free. */
hy_config *t_integ_config(int timeout_ms);
void t_config_metabase(hy_config *cfg, const char *url, const char *api_key);
void t_config_graph(hy_config *cfg, const char *url, const char *secret);
void t_config_slack(hy_config *cfg, const char *url, const char *token);
void t_config_smtp(hy_config *cfg, int port, const char *mode, const char *ca_file, const char *password);

/* What the client tests share: a config, its integration handle logging
 * every call into `log`, and an error. */
typedef struct {
    hy_config *cfg;
    hy_integ *in;
    hy_call_log log;
    hy_err err;
} t_client;
/* Fills c around cfg (taken over; made by t_integ_config + t_config_*). */
void t_client_open(t_client *c, hy_config *cfg);
/* Frees what t_client_open made (not c itself). */
void t_client_close(t_client *c);

/* The fixture of a client test program: one fake for the whole program
 * and, around each test, the fake reset and a fresh client (t_client in
 * *state, 3 s timeout) configured for it with the fake's default
 * credentials. main() sets t_suite.name ("metabase", "graph", "slack")
 * before cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
 * tests run with t_suite_open / t_suite_close. */
typedef struct {
    const char *name;
    t_fake *fake;
} t_suite_t;
extern t_suite_t t_suite;
int t_suite_start(void **state);
int t_suite_stop(void **state);
int t_suite_open(void **state);
int t_suite_close(void **state);
#define T_CLIENT_TEST(f) cmocka_unit_test_setup_teardown(f, t_suite_open, t_suite_close)

/* The first id in the /_fake/seed answer's list `what` ("users", "groups",
 * ...) for a seed of json, as a number (Metabase ids). */
long t_fake_seed_id(t_fake *f, const char *what, const char *json);
/* The bodies of the logged service requests with this method whose path
 * (query included) contains `path`, oldest first: a JSON array of strings
 * (caller deletes). */
cJSON *t_fake_bodies(t_fake *f, const char *method, const char *path);

/* One client call under test, for t_fault_classes. */
typedef int (*t_call_fn)(t_client *c, void *arg);
/* Injects each fault class on the next request matching method and
 * path_re (a regex, see fakelib.py) and checks how `call` classifies it:
 * 500, 503, 429 with Retry-After (err.retry_after must follow it), a
 * connection closed before the answer or in the middle of it, and a timeout (the client's timeout lowered meanwhile) are
 * HY_ERR_TRANSIENT; with parses_body, a 200 that is not JSON is
 * HY_ERR_PERMANENT. Each fault must have been hit. Then `call` must succeed.
 * Pick a request that comes before any change `call` makes. */
void t_fault_classes(t_fake *f, t_client *c, const char *method, const char *path_re, bool parses_body,
                     t_call_fn call, void *arg);

/* Reads a whole file (NULL if missing); caller frees. */
char *t_read_file(const char *path);

#endif
