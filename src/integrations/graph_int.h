/* Private to the Microsoft Graph client (graph.c, graph_access.c): the
 * request plumbing they share. Not for callers outside src/integrations/. */
#ifndef HY_GRAPH_INT_H
#define HY_GRAPH_INT_H

#include <stdbool.h>

#include "http.h"

typedef struct {
    hy_http_req rq;
    char *authhdr;
    const char *hdrs[2];
    char *body;
} g_req;

/* HY_ERR_CONFIG unless [azure] (and with need_team [teams] team_id) are set. */
int graph_ready(hy_integ *in, bool need_team, hy_err *err);
/* Performs a Graph call with a (cached) token; a 401 drops the token and
 * tries once more with a fresh one. Then http_resp_free(rs), g_req_done(r). */
int g_raw(hy_integ *in, const char *method, const char *path, const cJSON *body, g_req *r, hy_http_resp *rs,
          hy_err *err);
void g_req_done(g_req *r);
/* Fails for a non-2xx answer, naming [teams] team_id on a 404 under /teams. */
int g_status_error(const g_req *r, const hy_http_resp *rs, hy_err *err);
/* A call expecting 2xx JSON (*out NULL for an empty body). */
int g_json(hy_integ *in, const char *method, const char *path, const cJSON *body, cJSON **out, hy_err *err);

#endif
