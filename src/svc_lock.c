/* Leases on external lists for the live backends (svc.h svc_locked). */
#include "list_lock.h"
#include "svc.h"
#include "util.h"

/* ---- leases on external lists ---- */

#define LIST_LOCK_MARGIN_MS 5000

typedef struct {
    hy_db *db;
    const char *key, *owner;
    int ttl_ms;
    int64_t renewed;             /* monotonic ms */
} list_guard;

/* Before each call: the lease must outlast it (a call takes at most
 * timeout_ms; the lease is renewed to now + timeout_ms + the margin unless
 * that was done less than half the margin ago). */
static int renew_before_call(void *ud, hy_err *err)
{
    list_guard *g = ud;
    int64_t now = hy_mono_ms();
    if (now - g->renewed < LIST_LOCK_MARGIN_MS / 2) return 0;
    int rc = list_lock_renew(g->db, g->key, g->owner, g->ttl_ms, err);
    if (rc == 0) g->renewed = now;
    return rc;
}

int svc_locked(hy_svc *s, const char *key, svc_locked_fn fn, void *ud, hy_err *err)
{
    s->lock_wait_ms = -1;
    if (!s->integ) return hy_fail(err, HY_ERR_INTERNAL, "this runner has no live client");
    hy_integ *in = s->integ;
    int timeout = s->c->cfg->http.timeout_ms > 0 ? s->c->cfg->http.timeout_ms : 15000;
    list_guard g = {.db = s->c->db, .key = key, .owner = s->owner, .ttl_ms = timeout + LIST_LOCK_MARGIN_MS};
    int64_t waited = 0;
    int rc = list_lock_acquire(g.db, key, g.owner, g.ttl_ms, g.ttl_ms, &waited, err);
    if (rc && err->code != HY_ERR_TRANSIENT) {
        /* the database, not the service: try again later */
        char why[sizeof err->msg];
        hy_strlcpy(why, err->msg, sizeof why);
        rc = hy_fail(err, HY_ERR_TRANSIENT, "could not take the lease on %s: %s", key, why);
    }
    if (rc) return rc;
    g.renewed = hy_mono_ms();
    integ_set_guard(in, renew_before_call, &g);
    rc = fn(in, ud, err);
    integ_set_guard(in, NULL, NULL);
    list_lock_release(g.db, key, g.owner);
    s->lock_wait_ms = waited;
    return rc;
}

