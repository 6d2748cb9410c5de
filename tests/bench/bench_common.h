/* Shared by the benchmark programs (header-only: each .c file here is a
 * program). A private database, partner organisations made by the real
 * workflow, and history: finished executions cloned, row for row, from a
 * real completed new_partner_user run (executions, steps, users, grants,
 * Studio rows, audit rows), so the tables and indexes look as they would
 * after that many real runs. */
#ifndef HY_BENCH_COMMON_H
#define HY_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "exec_search.h"
#include "ops.h"
#include "../unit/testlib_exec.h"
#include "util.h"

static void die(const char *what, const hy_err *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns the q-quantile (0..1). */
static double quantile(double *v, int n, double q)
{
    if (n == 0) return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time of the calling thread (user + system). */
static inline double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* "org0".."org{n-1}" partner organisations, each from a real new_partner run. */
static void bench_orgs(t_env *e, const hy_principal *admin, int n, char (*ids)[HY_UUID_LEN])
{
    for (int i = 0; i < n; i++) {
        char name[64], prefix[32], exec[HY_UUID_LEN];
        snprintf(name, sizeof name, "Partner %03d GmbH", i);
        snprintf(prefix, sizeof prefix, "st-p%03d", i);
        t_partner(e, admin, name, prefix, ids[i], exec);
    }
}

/* One new_partner_user run to completion, through ops (the template of the history). */
static void bench_one_user(t_env *e, const hy_principal *admin, const char *org, const char *email,
                           char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(e->c, admin, "new_partner_user", org, id, &err) != 0) die("start", &err);
    char kv[128];
    snprintf(kv, sizeof kv, "email=%s", email);
    cJSON *in = NULL;
    char *pairs[] = {"firstname=Bench", "lastname=User", kv, "languages=en,de"};
    if (ops_exec_input_from_pairs(4, pairs, &in, &err) != 0) die("input", &err);
    if (ops_exec_submit(e->c, admin, id, "input_user_details", in, &err) != 0) die("submit", &err);
    cJSON_Delete(in);
    t_drain(e);
}

/* A random UUID v4 per row (randomblob is evaluated for each row); for xasprintf. */
#define UUID                                                                                                      \
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || "  \
    "substr('89ab', 1 + abs(random()) %% 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"

static void exec_sql(t_env *e, const char *sql)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec_script(e->c->db, sql, &err) != 0) die(sql, &err);
}

/* Adds n finished executions (cloned from template_exec) spread over the
 * organisations: 96% completed, 2% failed at step 4, 1% cancelled, and
 * `awaiting` (0..1) of them waiting at step 2 instead. nusers = 0: one user
 * per execution (none for the waiting ones); else nusers users, each in one
 * organisation, the executions shared among them (user k gets executions
 * i with i % nusers == k, in the user's organisation). */
/* (shared users: one set of grants and Studio rows per user) */
static void bench_history_users(t_env *e, const char *template_exec, int n, double awaiting, int nusers)
{
    int people = nusers > 0 ? nusers : n;
    char *sql = xasprintf(
        "BEGIN IMMEDIATE;"
        "CREATE TEMP TABLE orgs(k INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT);"
        "INSERT INTO orgs SELECT row_number() OVER (ORDER BY rowid) - 1, id, name FROM organizations "
        "  WHERE instr(account_types, 'partner') > 0;"
        "CREATE TEMP TABLE tpl_exec AS SELECT * FROM workflow_executions WHERE id = '%s';"
        "CREATE TEMP TABLE tpl_steps AS SELECT * FROM workflow_step_executions WHERE execution_id = '%s';"
        "CREATE TEMP TABLE tpl_audit AS SELECT * FROM audit_log WHERE target_id = '%s';"
        "CREATE TEMP TABLE people(k INTEGER PRIMARY KEY, uid TEXT);"
        "INSERT INTO people WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < %d) "
        "  SELECT k, " UUID " FROM s;"
        "CREATE TEMP TABLE gen AS WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) "
        "  SELECT i, CASE WHEN %d = 0 THEN i ELSE i %% %d END AS uk, "
        "   " UUID " AS eid, "
        "   strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-' || ((%d - i) * 7) || ' seconds') AS at, "
        "   CASE WHEN abs(random()) %% 10000 < %d THEN 'awaiting_input' WHEN i %% 50 = 0 THEN 'failed' "
        "        WHEN i %% 100 = 1 THEN 'cancelled' ELSE 'completed' END AS status "
        "  FROM s;"
        "ALTER TABLE gen ADD COLUMN org TEXT;"
        "ALTER TABLE gen ADD COLUMN uid TEXT;"
        "UPDATE gen SET org = (SELECT id FROM orgs WHERE k = gen.uk %% (SELECT count(*) FROM orgs)), "
        "  uid = CASE WHEN %d = 0 THEN " UUID " ELSE (SELECT uid FROM people WHERE k = gen.uk) END;"
        "INSERT INTO users(id, firstname, lastname, email, languages, skills, roles, organization_id, app_role, "
        "  password_hash, created_at) SELECT uid, 'First' || uk, 'Last' || uk, 'user' || uk || '@mail' || (uk %% 97) || '.example', "
        "  '[\"en\"]', '[\"analytics\"]', '[]', org, 'user', '!', at FROM gen WHERE %d = 0 AND status != 'awaiting_input';"
        "INSERT INTO users(id, firstname, lastname, email, languages, skills, roles, organization_id, app_role, "
        "  password_hash, created_at) SELECT p.uid, 'First' || p.k, 'Last' || p.k, 'user' || p.k || '@mail' || (p.k %% 97) || "
        "  '.example', '[\"en\"]', '[\"analytics\"]', '[]', "
        "  (SELECT id FROM orgs WHERE k = p.k %% (SELECT count(*) FROM orgs)), 'user', '!', "
        "  strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-30 days') FROM people p WHERE %d > 0;"
        "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, user_id, requested_by, status, "
        "  current_step_order, created_at, completed_at, updated_at, search_text) "
        "  SELECT g.eid, t.workflow_definition_id, g.org, CASE WHEN g.status = 'awaiting_input' THEN NULL ELSE g.uid END, "
        "  t.requested_by, g.status, CASE g.status WHEN 'completed' THEN 9 WHEN 'awaiting_input' THEN 2 ELSE 4 END, "
        "  g.at, CASE WHEN g.status = 'completed' THEN g.at END, g.at, "
        "  g.eid || ' ' || lower(o.name) || ' ' || CASE WHEN g.status = 'awaiting_input' THEN '' "
        "  ELSE 'user' || g.uk || '@mail' || (g.uk %% 97) || '.example' END "
        "  FROM gen g JOIN orgs o ON o.id = g.org, tpl_exec t;"
        /* what the engine keeps as it goes: the counts and the search index */
        "INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) "
        "  SELECT g.org, t.workflow_definition_id, g.status, count(*) FROM gen g, tpl_exec t GROUP BY 1, 2, 3 "
        "  ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + excluded.n;"
        "INSERT INTO exec_search_pending(rowid, at) SELECT e.rowid, 0 FROM gen g JOIN workflow_executions e ON e.id = g.eid;"
        "INSERT INTO workflow_step_executions(id, execution_id, step_definition_id, step_order, status, manual_input, "
        "  output, error, completed_by, started_at, completed_at, attempts, input_by, input_at, attempt_log, updated_at) "
        "  SELECT " UUID ", "
        "  g.eid, s.step_definition_id, s.step_order, "
        "  CASE WHEN g.status = 'completed' THEN 'completed' "
        "       WHEN g.status = 'awaiting_input' THEN CASE WHEN s.step_order = 1 THEN 'completed' WHEN s.step_order = 2 THEN 'awaiting_input' ELSE 'pending' END "
        "       WHEN g.status = 'failed' THEN CASE WHEN s.step_order < 4 THEN 'completed' WHEN s.step_order = 4 THEN 'failed' ELSE 'pending' END "
        "       ELSE CASE WHEN s.step_order < 4 THEN 'completed' ELSE 'cancelled' END END, "
        "  s.manual_input, s.output, CASE WHEN g.status = 'failed' AND s.step_order = 4 THEN 'No Metabase group configured for this organization' END, "
        "  s.completed_by, g.at, g.at, s.attempts, s.input_by, s.input_at, s.attempt_log, g.at "
        "  FROM gen g, tpl_steps s;"
        "INSERT OR IGNORE INTO access_grants(id, user_id, resource_id, permission, granted_by, granted_at, execution_id) "
        "  SELECT lower(hex(randomblob(16))), g.uid, r.id, 'read', t.requested_by, g.at, g.eid FROM gen g, resources r, tpl_exec t "
        "  WHERE g.status = 'completed';"
        "INSERT OR IGNORE INTO user_studio_companies(id, user_id, studio_id, name, created_at) "
        "  SELECT lower(hex(randomblob(16))), uid, 'st-u-' || lower(hex(randomblob(5))), 'First' || i || ' Last' || i, at "
        "  FROM gen WHERE status = 'completed';"
        "INSERT OR IGNORE INTO user_studio_access(id, user_id, studio_company_id, granted_at) "
        "  SELECT lower(hex(randomblob(16))), g.uid, sc.id, g.at FROM gen g JOIN studio_companies sc ON sc.organization_id = g.org "
        "  WHERE g.status = 'completed';"
        "INSERT INTO audit_log(at, actor_id, actor_email, os_user, remote, action, target_type, target_id, details) "
        "  SELECT g.at, a.actor_id, a.actor_email, a.os_user, a.remote, a.action, a.target_type, g.eid, a.details "
        "  FROM gen g, tpl_audit a;"
        "DROP TABLE gen; DROP TABLE orgs; DROP TABLE tpl_exec; DROP TABLE tpl_steps; DROP TABLE tpl_audit; "
        "DROP TABLE people;",
        template_exec, template_exec, template_exec, nusers > 0 ? people - 1 : 0, n, nusers, people, n,
        (int)(awaiting * 10000), nusers, nusers, nusers);
    exec_sql(e, sql);
    free(sql);
    hy_err err;
    hy_err_clear(&err);
    if (exec_search_flush(e->c, true, &err) != 0) die("search index", &err);
    exec_sql(e, "COMMIT;");
    exec_sql(e, "PRAGMA wal_checkpoint(TRUNCATE);"); /* no ANALYZE: plans must be good without statistics */
}


__attribute__((unused)) static void bench_history(t_env *e, const char *template_exec, int n, double awaiting)
{
    bench_history_users(e, template_exec, n, awaiting, 0);
}

/* Brings the partner organisations up to `total` by cloning the existing
 * (real) ones row for row: the organisation ("Partner NNNNN GmbH"), its
 * Studio companies (new Studio ids), system groups, integration state and
 * documentation links. */
__attribute__((unused)) static void bench_clone_orgs(t_env *e, int total)
{
    char *sql = xasprintf(
        "BEGIN IMMEDIATE;"
        "CREATE TEMP TABLE src(k INTEGER PRIMARY KEY, id TEXT);"
        "INSERT INTO src SELECT row_number() OVER (ORDER BY rowid) - 1, id FROM organizations "
        "  WHERE instr(account_types, 'partner') > 0;"
        "CREATE TEMP TABLE map(i INTEGER PRIMARY KEY, id TEXT, src TEXT);"
        "INSERT INTO map WITH RECURSIVE s(i) AS (SELECT (SELECT count(*) FROM src) UNION ALL SELECT i + 1 FROM s "
        "  WHERE i < %d - 1) SELECT i, " UUID ", (SELECT id FROM src WHERE k = i %% (SELECT count(*) FROM src)) FROM s;"
        "INSERT INTO organizations(id, name, account_types, created_at) SELECT m.id, printf('Partner %%05d GmbH', m.i), "
        "  o.account_types, o.created_at FROM map m JOIN organizations o ON o.id = m.src;"
        "INSERT INTO studio_companies(id, organization_id, studio_id, name, environment, created_at) "
        "  SELECT " UUID ", m.id, printf('st-p%%05d-', m.i) || sc.environment, printf('Partner %%05d GmbH ', m.i) || "
        "  upper(sc.environment), sc.environment, sc.created_at FROM map m JOIN studio_companies sc ON sc.organization_id = m.src;"
        "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id, created_at) "
        "  SELECT " UUID ", m.id, g.tool, printf('ext-partner-%%05d-gmbh', m.i), g.external_id, g.created_at "
        "  FROM map m JOIN system_groups g ON g.organization_id = m.src;"
        "INSERT INTO organization_integrations(id, organization_id, keycloak_confirmed, keycloak_cluster, "
        "  metabase_collection_id, lms_confirmed, updated_at) SELECT " UUID ", m.id, x.keycloak_confirmed, "
        "  x.keycloak_cluster, x.metabase_collection_id, x.lms_confirmed, x.updated_at "
        "  FROM map m JOIN organization_integrations x ON x.organization_id = m.src;"
        "INSERT INTO organization_documentation(id, organization_id, internal_docu, generique_docu, add_docu, updated_at) "
        "  SELECT " UUID ", m.id, 'https://wiki.example/' || m.i, d.generique_docu, d.add_docu, d.updated_at "
        "  FROM map m JOIN organization_documentation d ON d.organization_id = m.src;"
        "DROP TABLE map; DROP TABLE src; COMMIT;",
        total);
    exec_sql(e, sql);
    free(sql);
}

/* The terminal UI's database (bench_ui, bench_bastion): n executions
 * cloned from a real new_partner_user run (1% waiting for input, 2% failed,
 * 1% cancelled) over norgs partner organisations (100 from real new_partner
 * runs, the rest cloned), shared by nusers users. BENCH_CACHE_DB=FILE: a
 * copy of FILE when it exists, else saved there once made (the sizes are
 * the caller's to put in the name). */
__attribute__((unused)) static t_env *bench_ui_database(int n, int norgs, int nusers, hy_principal *admin,
                                                        const char *who)
{
    const char *cache = getenv("BENCH_CACHE_DB");
    if (cache && access(cache, R_OK) == 0) {
        t_env *e = t_exec_env_from_file(cache);
        t_admin(e, admin);
        fprintf(stderr, "%s: the database from %s\n", who, cache);
        return e;
    }
    t_env *e = t_exec_env();
    t_admin(e, admin);
    double g0 = now_us();
    int real = norgs < 100 ? norgs : 100;
    char (*orgs)[HY_UUID_LEN] = xcalloc((size_t)real, sizeof *orgs);
    bench_orgs(e, admin, real, orgs);
    bench_clone_orgs(e, norgs);
    char tpl[HY_UUID_LEN];
    bench_one_user(e, admin, orgs[0], "template@load.example", tpl);
    bench_history_users(e, tpl, n - real - 1, 0.01, nusers);
    free(orgs);
    fprintf(stderr, "%s: database generated in %.1f s\n", who, (now_us() - g0) / 1e6);
    if (cache) {
        hy_err err;
        hy_err_clear(&err);
        if (db_exec(e->c->db, &err, "VACUUM INTO ?", "t", cache) != 0) die("save the database", &err);
    }
    return e;
}

/* The machine, for the report. */
static void bench_machine(t_env *e, FILE *out)
{
    struct utsname u;
    uname(&u);
    char model[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    hy_strlcpy(model, c + 2, sizeof model);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        fclose(f);
    }
    char *v = t_text(e, "SELECT sqlite_version()", NULL);
    fprintf(out, "%s, %ld CPUs, %s %s, SQLite %s", model, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, v);
    free(v);
}

#endif
