/* Settings: an INI file (parsed with inih), then the original app's
 * environment variables on top, then checks. See config.example.ini. */
#ifndef HY_CONFIG_H
#define HY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* How an integration behaves (DESIGN.md "Integrations: live, simulate, off"). */
typedef enum { HY_MODE_OFF = 0, HY_MODE_SIMULATE, HY_MODE_LIVE } hy_mode;

typedef enum { HY_TLS_STARTTLS = 0, HY_TLS_IMPLICIT } hy_tls;

#define HY_MAX_DB_IDS 32

typedef struct hy_config {
    char *source;           /* path of the file read, or NULL for the embedded default */
    int64_t source_mtime_ns; /* its modification time when it was read (config_file_mtime_ns) */
    bool embedded_default;  /* no file at all: ./hyopps.db, everything simulated */

    struct {
        char *path;
    } database;

    struct {
        char *jwt_secret;   /* NULL: generated once and stored in the settings table */
        int session_hours;  /* 8 */
        int lockout_attempts;   /* 5 */
        int lockout_minutes;    /* 15 */
        size_t password_memlimit; /* bytes; default 19 MiB */
        unsigned long long password_opslimit; /* default 2 */
    } auth;

    struct {
        hy_mode mode;
        char *url;
        char *api_key;
        long template_collection_id;  /* 0 = none */
        long parent_collection_id;    /* 0 = root */
        long database_ids[HY_MAX_DB_IDS];
        int ndatabase_ids;
        char *revoke_view_data;       /* NULL = "unrestricted" (the lowest view-data value varies by version) */
        bool deactivate_on_revoke;    /* true: a revoked account left in no group is deactivated */
    } metabase;

    struct {
        char *tenant_id;
        char *client_id;
        char *client_secret;
        char *login_url;    /* default https://login.microsoftonline.com */
        char *graph_url;    /* default https://graph.microsoft.com */
    } azure;

    struct {
        hy_mode mode;
        char *team_id;
        bool delete_guest_on_revoke;  /* false: a revocation removes the membership, keeps the guest account */
    } teams;

    struct {
        hy_mode mode;
        char *bot_token;
        char *api_url;      /* default https://slack.com/api */
    } slack;

    struct {
        hy_mode mode;
        char *host;
        int port;           /* 587 */
        hy_tls tls;         /* starttls */
        char *user;
        char *password;
        char *from;         /* "addr" or "Display Name <addr>", as configured */
        char *from_error;   /* an unusable from: what is wrong (email.c refuses to send), else NULL */
        char *ca_file;
    } smtp;

    struct {
        int timeout_ms;     /* total per request; connect timeout is min(this, 10 s) */
        int max_attempts;   /* automatic attempts for transient errors */
        char *ca_file;
    } http;

    struct {
        /* Auto steps that wait on no network (simulate, Studio) run in the
         * transaction of the action that queued them (engine_run_inline);
         * false: they wait for a runner like the others. Default true. */
        bool inline_local_steps;
        /* How often a `hyopps worker` renews its heartbeat; terminal
         * sessions leave the steps to workers whose heartbeat is younger
         * than three of these. Default 60. */
        int worker_heartbeat_seconds;
    } engine;

    struct {
        int max_rows;       /* rows of one imported file (hyopps exec import, the TUI); 500 */
    } bulk;

    struct {
        /* Notifications (src/notify.h): an outbox written with the state
         * change, delivered by runners through email ([smtp] mode decides
         * live, simulate or off) and a Slack channel ([slack] mode). */
        bool enabled;               /* true */
        char *admin_emails;         /* "a@x, b@y", or NULL: every admin and support user */
        char *slack_channel;        /* "#ops" or a channel id, or NULL: no Slack message */
        int remind_after_hours;     /* 24: a step waiting longer is reminded, then daily */
        int max_reminders;          /* 3 */
        int digest_hour;            /* 0-23 (local time), or -1: no daily digest */
        int input_delay_minutes;    /* 2: "input needed" waits this long (dropped if filled meanwhile) */
    } notify;

    struct {
        /* `hyopps worker` reconciles every organisation with Metabase,
         * Teams and Slack this often (src/reconcile.h); 0 = never. 24. */
        int every_hours;
    } reconcile;

    struct {
        bool ascii;
        bool color;
        /* 0: wait for the database's commit notifications (inotify, else
         * dnotify), looking every 700 ms only where neither can be had;
         * N: look for changes every N ms instead. */
        int poll_ms;
    } ui;

    struct {
        bool restricted;
        int idle_minutes;   /* 0 = never */
    } security;
} hy_config;

/* Finds and loads the configuration. explicit_path is --config (or NULL).
 * Lookup: explicit_path, $HYOPPS_CONFIG, ./config.ini,
 * $XDG_CONFIG_HOME/hyopps/config.ini (else ~/.config/...), /etc/hyopps/config.ini.
 * None found: the embedded default. Warnings (e.g. a world-readable file
 * holding secrets) are written to warn (may be NULL). On error, err->msg is
 * "FILE:LINE: what is wrong". The result is freed with config_free. */
int config_load(const char *explicit_path, hy_config **out, hy_err *err, FILE *warn);
/* Parses one given file (no lookup), then env overrides and checks. */
int config_load_file(const char *path, hy_config **out, hy_err *err, FILE *warn);
/* A file's modification time (ns since the epoch), or -1: to notice that
 * the configuration changed since it was read (the settings apply at the
 * next start). */
int64_t config_file_mtime_ns(const char *path);
/* The embedded default (no file): ./hyopps.db, every integration simulated.
 * (config_load also applies the environment on top.) */
hy_config *config_default(void);
void config_free(hy_config *cfg);

const char *config_mode_name(hy_mode m);
/* Every known setting, for documentation checks: returns false past the end. */
bool config_key_at(int i, const char **section, const char **key);
/* One line per integration: "metabase: live (https://...)" — never a secret. */
void config_describe_modes(const hy_config *cfg, char *out, size_t outsz);

#endif
