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
/* The same list; typed text also finds an offboarded organisation by its
 * id or exact name (its offboarding may run again). */
extern const hy_choice_provider hy_choices_offboard_orgs;
/* The Studio companies of the context's organisation (picked by Studio id
 * or by name); left out: all of them. */
extern const hy_choice_provider hy_choices_org_studio_companies;

/* The people of an organisation whose access may be revoked: active
 * (not offboarded) users of the context's organisation (else, for a
 * partner admin, their own; for staff with no organisation chosen yet,
 * every partner organisation's), not the actor; partner admins see users
 * and partner admins only (never staff accounts). Labelled "First Last
 * <email>". Typed text: an id, an exact email (an offboarded user too: a
 * revocation may run again), a unique id prefix (4+) or the unique start
 * of an email or name. Offboarded organisations' users are left out. */
extern const hy_choice_provider hy_choices_org_users;

#endif
