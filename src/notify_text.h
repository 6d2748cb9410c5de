/* The words of a notification: subject, plain text, HTML (every value
 * escaped) and a one-message Slack text, saying what happened and the
 * command or keys that deal with it. No database here. */
#ifndef HY_NOTIFY_TEXT_H
#define HY_NOTIFY_TEXT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *event;              /* input_needed | reminder | failed | completed | cancelled */
    const char *exec_id;
    const char *workflow_label;     /* "New partner user" */
    const char *org_name;           /* may be NULL */
    const char *user_email;         /* the person it is about, may be NULL */
    int step_order;
    const char *step_label;         /* may be NULL */
    const char *detail;             /* failed: the error */
    int64_t waiting_ms;             /* reminder: how long it has waited */
    int reminder, max_reminders;    /* reminder: which one, of how many */
    const char *cancelled_by;       /* cancelled: who (email), may be NULL */
    bool partner;                   /* to a partner admin: their console's keys */
} notify_msg;

typedef struct {
    char *subject, *text, *html, *slack;
} notify_body;

void notify_render(const notify_msg *m, notify_body *out);

/* One line of the digest: an execution waiting (what = the step) or failed
 * (what = the error), and for how long. */
typedef struct {
    const char *exec_id, *workflow_label, *org_name, *what;
    int step_order;
    int64_t age_ms;
} notify_digest_item;

/* Both lists oldest first. */
void notify_render_digest(const notify_digest_item *waiting, int nwaiting, const notify_digest_item *failed,
                          int nfailed, notify_body *out);
void notify_body_free(notify_body *b);

/* "3d 04h", "5h 02m", "7m": for ages in messages. */
void notify_age(int64_t ms, char out[24]);

#endif
