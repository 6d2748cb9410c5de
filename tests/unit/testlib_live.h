/* Helpers for the tests that run the workflows in live mode against the
 * fake services (tests/fakes/): Metabase, Graph, Slack and a STARTTLS SMTP
 * server, started once per test program. */
#ifndef HY_TESTLIB_LIVE_H
#define HY_TESTLIB_LIVE_H

#include "fakes.h"
#include "testlib_exec.h"

#define T_MB_KEY "mb-test-key"
#define T_GRAPH_SECRET "graph-secret"
#define T_SLACK_TOKEN "xoxb-test-token"
#define T_SMTP_PASSWORD "smtp-secret"

typedef struct {
    t_fake *mb, *graph, *slack, *smtp;
    char *certdir, *cert, *key;
    long parent_collection, template_collection;   /* seeded in Metabase */
} t_live;

/* Starts the four fakes (the SMTP certificate is made now) and seeds
 * Metabase with a parent collection and a template collection holding two
 * dashboards. */
t_live *t_live_start(void);
void t_live_stop(t_live *l);
/* Back to the fakes' initial state (the SMTP fake keeps its messages):
 * Metabase seeded again (new parent and template ids in l). */
void t_live_reset(t_live *l);
/* Points cfg at the fakes with every integration live (database_ids 1 and
 * 2, the seeded parent and template); timeout_ms for HTTP and SMTP. */
void t_live_config(const t_live *l, hy_config *cfg, int timeout_ms);
/* An environment (temp database) configured live against the fakes. */
t_env *t_live_env(const t_live *l, int timeout_ms);
/* Another connection to e's database in live mode (for a forked worker). */
hy_app *t_live_open_app(const t_live *l, const char *db_path, int timeout_ms);

/* A Slack workspace account for an address (users.lookupByEmail finds it). */
void t_live_slack_user(const t_live *l, const char *email);
/* The number of objects in a fake's state list (e.g. "collections"). */
int t_live_count(t_fake *f, const char *list);
/* How many items of a fake's state list have field == value (strings, case-insensitive). */
int t_live_count_where(t_fake *f, const char *list, const char *field, const char *value);
/* Memberships of Metabase user in group in a /_fake/state answer. */
int t_mb_memberships(const cJSON *mb_state, long user, long group);
/* Members of the Graph fake's team-1 with this email (case-insensitive). */
int t_team_members_with(const t_live *l, const char *email);
/* A step's column as text (t_text on workflow_step_executions). Caller frees. */
char *t_step_col(t_env *e, const char *exec_id, int order, const char *column);
int64_t t_step_int(t_env *e, const char *exec_id, int order, const char *column);

/* The n-th (1-based) message the SMTP fake kept, parsed by Python's email
 * package (tests/fakes/mailcheck.py): {headers, subject, tree, alternative}. */
cJSON *t_mail_parse(t_fake *smtp, int n);
/* A header of a parsed message, or NULL. */
const char *t_mail_header(const cJSON *mail, const char *name);
/* The decoded text of part i of the multipart/alternative (0 text, 1 HTML). */
const char *t_mail_part(const cJSON *mail, int i);

/* Moves the clock forward (hy_clock_set_offset_ms, cumulative). */
void t_clock_forward(int64_t ms);

#endif
