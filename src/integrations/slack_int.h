/* Private to the Slack client (slack.c, slack_access.c). Not for callers
 * outside src/integrations/. */
#ifndef HY_SLACK_INT_H
#define HY_SLACK_INT_H

#include "http.h"

/* HY_ERR_CONFIG unless [slack] bot_token and api_url are set. */
int slack_ready(hy_integ *in, hy_err *err);
/* Calls a Web API method with form arguments (key, value, ..., NULL);
 * *out is the answer when ok:true. ok:false codes fail with "Slack <method>
 * failed: <code>" (transient for ratelimited, internal_error, ...). */
int slack_call(hy_integ *in, const char *method, const char *const *kv, cJSON **out, hy_err *err);

#endif
