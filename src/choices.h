/* The choice providers of PICK / MULTI_PICK fields (workflows.h): where a
 * form's choices come from and how typed text is resolved. Each offers only
 * what the actor may pick (authz.h scopes organisations). */
#ifndef HY_CHOICES_H
#define HY_CHOICES_H

#include "workflows.h"

/* Partner organisations (account type partner): admins every one, a partner
 * admin their own. Typed text: an id, the exact name (any case), a unique id
 * prefix or the unique start of a name. */
extern const hy_choice_provider hy_choices_partner_orgs;
/* The Studio companies of the context's organisation (picked by Studio id
 * or by name); left out: all of them. */
extern const hy_choice_provider hy_choices_org_studio_companies;

/* The users of the context's organisation (value: the user id; label: name
 * and email). Typed text: an id, the email (any case) or a unique id
 * prefix, among that organisation's users only. */
extern const hy_choice_provider hy_choices_org_users;

#endif
