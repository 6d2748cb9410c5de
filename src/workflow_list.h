/* The workflow registry: one line per workflow (an X-macro, as git's
 * builtin.h lists its commands). HY_WORKFLOW(x) names the definition
 * `const hy_workflow_def hy_wf_x` in src/wf_x.c. Order = the order in
 * menus and `exec start --help`. See workflows.h, "Adding a workflow".
 * No include guard: included several times with different HY_WORKFLOW. */
HY_WORKFLOW(new_partner)
HY_WORKFLOW(new_partner_user)
HY_WORKFLOW(revoke_partner_user)
HY_WORKFLOW(offboard_partner)
HY_WORKFLOW(repair_access)
