#!/usr/bin/python3
"""A fake Metabase, written from ../shared/reference/integrations-api.md §1.

Quirks it reproduces:
- x-api-key required: 401 with the plain-text body "Unauthenticated";
- GET /api/user?query= is a substring match on first name, last name and
  email; active users only unless status=all; {data,total,limit,offset} or a
  bare list (config list_shape = "paged" | "list");
- a deactivated user is missing from the default list but blocks POST
  /api/user (400 {"errors":{"email":"Email address already in use."}});
- adding an existing membership answers 500 (unique-key violation) or 400
  mentioning "already" (config membership_already_status = 500 | 400);
- group names are unique case-insensitively (400 text);
- the permissions graph has a revision: a PUT with a stale one answers 409;
  graph_shape = "new" ({"view-data","create-queries"}) | "old" ({"data":...});
- fault kind "bump_revision": someone else edits the graph before this call.

Removing access and reading who has it (§6):
- GET /api/user?group_id=G (&status=all: deactivated ones too): the users
  who are members of group G, paged like every user listing;
- GET /api/permissions/group/:id: the group with its members
  [{user_id,email,first_name,last_name,membership_id,is_group_manager}];
  active accounts only (config members_include_inactive = true lists
  deactivated ones too); 404 "Not found.";
- DELETE /api/permissions/group/:id: 204, its memberships and graph entry
  go too; 404; 400 for All Users / Administrators;
- DELETE /api/user/:id: deactivates (the row stays and its email still
  blocks POST /api/user; absent from GET /api/user unless status=all):
  {"success":true}; 404;
- GET /api/collection/:id and PUT /api/collection/:id {"archived":true}: 404
  for an unknown id; archived collections drop out of .../items;
- DELETE /api/permissions/membership/:id: 204; 404 when gone; 400 for All Users;
- the permissions graph accepts any view-data value.

Control (besides fakelib's): POST /_fake/seed also takes
  {"memberships":[{"user_id","group_id"}]} (someone added by hand) and
  {"perms":{"<gid>":{"<db>":entry}}} (the graph edited by hand: new revision);
POST /_fake/remove {"memberships":[{"user_id","group_id"}], "deactivate":[user_id],
  "groups":[group_id]} does by hand what an admin does in Metabase (not logged
  as a service request); answers what it removed.

Run: /usr/bin/python3 tests/fakes/fake_metabase.py --port-file F [--api-key K]
"""

import re

import fakelib
from fakelib import Reply, text

DB_IDS = [1, 2, 3]


class FakeMetabase(fakelib.Fake):
    name = "metabase"
    defaults = {
        "list_shape": "paged",
        "graph_shape": "new",
        "membership_already_status": 500,
        "require_color": False,
        "members_include_inactive": False,
    }

    def initial(self):
        self.next_id = 100
        self.users = {}
        self.groups = {1: {"id": 1, "name": "All Users"}, 2: {"id": 2, "name": "Administrators"}}
        self.memberships = {}
        self.collections = {}
        self.dashboards = {}
        self.graph_writes = 0
        self.revision = 1
        self.perms = {}
        admin = self.add_user("admin@example.com", "Ada", "Admin", True)
        admin["is_superuser"] = True
        self.add_membership(admin["id"], 2)
        self.api_user = admin["id"]
        self.reset_perms()

    def reset_perms(self):
        new = self.config.get("graph_shape", "new") == "new"
        for db in DB_IDS:
            if new:
                self.perms.setdefault("1", {})[str(db)] = {"view-data": "unrestricted", "create-queries": "no"}
                self.perms.setdefault("2", {})[str(db)] = {"view-data": "unrestricted",
                                                           "create-queries": "query-builder-and-native"}
            else:
                self.perms.setdefault("1", {})[str(db)] = {"data": {"schemas": "none", "native": "none"}}
                self.perms.setdefault("2", {})[str(db)] = {"data": {"schemas": "all", "native": "write"}}

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def add_user(self, email, first=None, last=None, active=True):
        uid = self.new_id()
        u = {"id": uid, "email": email, "first_name": first, "last_name": last,
             "common_name": " ".join(x for x in (first, last) if x) or email,
             "is_active": active, "is_superuser": False}
        self.users[uid] = u
        self.add_membership(uid, 1)
        return u

    def add_membership(self, uid, gid):
        mid = self.new_id()
        self.memberships[mid] = {"membership_id": mid, "user_id": uid, "group_id": gid, "is_group_manager": False}
        return mid

    def member_of(self, uid, gid):
        return any(m["user_id"] == uid and m["group_id"] == gid for m in self.memberships.values())

    def user_json(self, u):
        out = dict(u)
        out["user_group_memberships"] = [{"id": m["group_id"]} for m in self.memberships.values()
                                         if m["user_id"] == u["id"]]
        return out

    def listing(self, items, req):
        if self.config.get("list_shape") == "list":
            return Reply(200, items)
        limit = int(req.arg("limit", "0") or 0)
        offset = int(req.arg("offset", "0") or 0)
        page = items[offset:offset + limit] if limit else items[offset:]
        return Reply(200, {"data": page, "total": len(items), "limit": limit or None, "offset": offset})

    # ---- control ----

    def state(self):
        return {
            "users": list(self.users.values()),
            "groups": list(self.groups.values()),
            "memberships": list(self.memberships.values()),
            "collections": list(self.collections.values()),
            "dashboards": list(self.dashboards.values()),
            "graph": {"revision": self.revision, "groups": self.perms},
            "graph_writes": self.graph_writes,
        }

    def seed(self, data):
        if "graph_shape" in data:
            self.config["graph_shape"] = data["graph_shape"]
            self.perms = {}
            self.reset_perms()
        out = {"users": [], "groups": [], "collections": [], "dashboards": []}
        for u in data.get("users", []):
            out["users"].append(self.add_user(u["email"], u.get("first_name"), u.get("last_name"),
                                              u.get("is_active", True))["id"])
        for g in data.get("groups", []):
            gid = self.new_id()
            self.groups[gid] = {"id": gid, "name": g["name"]}
            out["groups"].append(gid)
        for c in data.get("collections", []):
            cid = self.new_id()
            self.collections[cid] = {"id": cid, "name": c["name"], "parent_id": c.get("parent_id"),
                                     "color": "#509EE3", "archived": bool(c.get("archived", False))}
            out["collections"].append(cid)
        for d in data.get("dashboards", []):
            did = self.new_id()
            self.dashboards[did] = {"id": did, "name": d["name"], "collection_id": d.get("collection_id"),
                                    "copied_from": None, "deep_copy": False}
            out["dashboards"].append(did)
        for m in data.get("memberships", []):
            self.add_membership(m["user_id"], m["group_id"])
        if data.get("perms"):  # an admin edits the graph by hand: {"<gid>": {"<db>": entry}}
            for gid, dbs in data["perms"].items():
                self.perms.setdefault(gid, {}).update(dbs)
            self.revision += 1
        return out

    def custom_fault(self, fault, req):
        if fault.get("kind") == "bump_revision":
            self.revision += 1  # someone else saved the graph meanwhile
        return None

    def default_error(self, status):
        return Reply(status, {"message": "fake Metabase error %d" % status, "type": "clojure.lang.ExceptionInfo"})

    # ---- API ----

    def route(self, req):
        if req.headers.get("x-api-key") != self.options.api_key:
            return text(401, "Unauthenticated")
        p, m = req.path, req.method
        if p == "/api/user/current" and m == "GET":
            return Reply(200, self.user_json(self.users[self.api_user]))
        if p == "/api/user" and m == "GET":
            return self.search_users(req)
        if p == "/api/user" and m == "POST":
            return self.create_user(req.json() or {})
        g = re.fullmatch(r"/api/user/(\d+)", p)
        if g and m == "GET":
            u = self.users.get(int(g.group(1)))
            return Reply(200, self.user_json(u)) if u else text(404, "Not found.")
        g = re.fullmatch(r"/api/user/(\d+)/reactivate", p)
        if g and m == "PUT":
            u = self.users.get(int(g.group(1)))
            if not u:
                return text(404, "Not found.")
            if u["is_active"]:
                return Reply(400, {"message": "Not able to reactivate an active user"})
            u["is_active"] = True
            return Reply(200, self.user_json(u))
        if p == "/api/permissions/group" and m == "GET":
            return Reply(200, [dict(g, member_count=sum(1 for x in self.memberships.values()
                                                        if x["group_id"] == g["id"]))
                               for g in self.groups.values()])
        if p == "/api/permissions/group" and m == "POST":
            name = (req.json() or {}).get("name")
            if not name:
                return Reply(400, {"errors": {"name": "value must be a non-blank string."}})
            if any(g["name"].lower() == name.lower() for g in self.groups.values()):
                return text(400, "A group with that name already exists.")
            gid = self.new_id()
            self.groups[gid] = {"id": gid, "name": name}
            return Reply(200, self.groups[gid])
        if p == "/api/permissions/membership" and m == "POST":
            return self.add_member(req.json() or {})
        if p == "/api/permissions/membership" and m == "GET":
            out = {}
            for x in self.memberships.values():
                out.setdefault(str(x["user_id"]), []).append(dict(x))
            return Reply(200, out)
        g = re.fullmatch(r"/api/permissions/membership/(\d+)", p)
        if g and m == "DELETE":
            x = self.memberships.get(int(g.group(1)))
            if not x:
                return text(404, "Not found.")
            if x["group_id"] == 1:
                return text(400, "You cannot add or remove users to/from the 'All Users' group.")
            del self.memberships[x["membership_id"]]
            return Reply(204)
        if p == "/api/collection" and m == "POST":
            return self.create_collection(req.json() or {})
        g = re.fullmatch(r"/api/collection/(root|\d+)/items", p)
        if g and m == "GET":
            return self.collection_items(g.group(1), req)
        g = re.fullmatch(r"/api/dashboard/(\d+)/copy", p)
        if g and m == "POST":
            return self.copy_dashboard(int(g.group(1)), req.json() or {})
        if p == "/api/permissions/graph" and m == "GET":
            return Reply(200, {"revision": self.revision, "groups": self.perms})
        if p == "/api/permissions/graph" and m == "PUT":
            return self.write_graph(req.json() or {})
        r = self.route_access(req)
        return r if r else text(404, "API endpoint does not exist.")

    # ---- removing access and reading who has it ----

    def route_access(self, req):
        p, m = req.path, req.method
        g = re.fullmatch(r"/api/permissions/group/(\d+)", p)
        if g and m == "GET":
            grp = self.groups.get(int(g.group(1)))
            if not grp:
                return text(404, "Not found.")
            return Reply(200, dict(grp, members=self.group_members(grp["id"])))
        if g and m == "DELETE":
            gid = int(g.group(1))
            if gid in (1, 2):
                return text(400, "You cannot delete the '%s' group." % self.groups[gid]["name"])
            if gid not in self.groups:
                return text(404, "Not found.")
            self.delete_group(gid)
            return Reply(204)
        g = re.fullmatch(r"/api/user/(\d+)", p)
        if g and m == "DELETE":
            u = self.users.get(int(g.group(1)))
            if not u:
                return text(404, "Not found.")
            u["is_active"] = False
            return Reply(200, {"success": True})
        g = re.fullmatch(r"/api/collection/(\d+)", p)
        if g and m in ("GET", "PUT"):
            c = self.collections.get(int(g.group(1)))
            if not c:
                return text(404, "Not found.")
            if m == "PUT":
                body = req.json()
                if not isinstance(body, dict):
                    return Reply(400, {"errors": {"body": "value must be a map."}})
                if "archived" in body:
                    if not isinstance(body["archived"], bool):
                        return Reply(400, {"errors": {"archived": "nullable boolean"}})
                    c["archived"] = body["archived"]
            return Reply(200, dict(c))
        return None

    def group_members(self, gid):
        out = []
        for x in self.memberships.values():
            u = self.users.get(x["user_id"])
            if x["group_id"] != gid or not u:
                continue
            if not u["is_active"] and not self.config.get("members_include_inactive"):
                continue
            out.append({"user_id": u["id"], "email": u["email"], "first_name": u["first_name"],
                        "last_name": u["last_name"], "common_name": u["common_name"],
                        "membership_id": x["membership_id"], "is_group_manager": x["is_group_manager"]})
        return sorted(out, key=lambda m: ((m["common_name"] or "").lower(), m["user_id"]))

    def delete_group(self, gid):
        del self.groups[gid]
        for mid in [k for k, x in self.memberships.items() if x["group_id"] == gid]:
            del self.memberships[mid]
        self.perms.pop(str(gid), None)

    def control_remove(self, req):
        body = req.json() or {}
        out = {"memberships": [], "deactivated": [], "groups": []}
        with self.lock:
            for want in body.get("memberships", []):
                for mid, x in list(self.memberships.items()):
                    if x["user_id"] == want.get("user_id") and x["group_id"] == want.get("group_id"):
                        del self.memberships[mid]
                        out["memberships"].append(mid)
            for uid in body.get("deactivate", []):
                if uid in self.users:
                    self.users[uid]["is_active"] = False
                    out["deactivated"].append(uid)
            for gid in body.get("groups", []):
                if gid in self.groups and gid not in (1, 2):
                    self.delete_group(gid)
                    out["groups"].append(gid)
        return Reply(200, out)

    def search_users(self, req):
        q = (req.arg("query") or "").lower()
        everyone = req.arg("status") == "all"
        group = req.arg("group_id")
        members = None
        if group:
            members = {m["user_id"] for m in self.memberships.values() if str(m["group_id"]) == group}
        found = []
        for u in sorted(self.users.values(), key=lambda x: x["id"]):
            if not everyone and not u["is_active"]:
                continue
            if members is not None and u["id"] not in members:
                continue
            hay = [u["email"] or "", u["first_name"] or "", u["last_name"] or ""]
            if q and not any(q in h.lower() for h in hay):
                continue
            found.append(dict(u))
        return self.listing(found, req)

    def create_user(self, body):
        email = body.get("email")
        if not email or "@" not in email:
            return Reply(400, {"errors": {"email": "value must be a valid email address."}})
        if any(u["email"].lower() == email.lower() for u in self.users.values()):
            return Reply(400, {"errors": {"email": "Email address already in use."}})
        u = self.add_user(email, body.get("first_name"), body.get("last_name"))
        return Reply(200, self.user_json(u))

    def add_member(self, body):
        gid, uid = body.get("group_id"), body.get("user_id")
        if gid == 1:
            return text(400, "You cannot add or remove users to/from the 'All Users' group.")
        if gid not in self.groups or uid not in self.users:
            return text(404, "Not found.")
        if self.member_of(uid, gid):
            if int(self.config.get("membership_already_status", 500)) == 400:
                return text(400, "User is already a member of this group.")
            return Reply(500, {"message": "ERROR: duplicate key value violates unique constraint "
                                          "\"unique_permissions_group_membership_user_id_group_id\"",
                               "type": "org.postgresql.util.PSQLException"})
        self.add_membership(uid, gid)
        members = []
        for x in self.memberships.values():
            if x["group_id"] == gid:
                u = self.users[x["user_id"]]
                members.append({"first_name": u["first_name"], "last_name": u["last_name"], "email": u["email"],
                                "user_id": u["id"], "membership_id": x["membership_id"]})
        return Reply(200, members)

    def create_collection(self, body):
        name = body.get("name")
        if not name:
            return Reply(400, {"errors": {"name": "value must be a non-blank string."}})
        color = body.get("color")
        if self.config.get("require_color") and not (isinstance(color, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", color)):
            return Reply(400, {"errors": {"color": "value must be a string that matches the regex `^#[0-9A-Fa-f]{6}$`."}})
        parent = body.get("parent_id")
        if parent is not None and parent not in self.collections:
            return text(404, "Not found.")
        cid = self.new_id()
        self.collections[cid] = {"id": cid, "name": name, "parent_id": parent, "color": color, "archived": False}
        return Reply(200, dict(self.collections[cid]))

    def collection_items(self, which, req):
        cid = None if which == "root" else int(which)
        if cid is not None and cid not in self.collections:
            return text(404, "Not found.")
        models = req.query.get("models") or ["collection", "dashboard"]
        items = []
        if "collection" in models:
            items += [{"id": c["id"], "name": c["name"], "model": "collection"}
                      for c in self.collections.values() if c["parent_id"] == cid and not c.get("archived")]
        if "dashboard" in models:
            items += [{"id": d["id"], "name": d["name"], "model": "dashboard"}
                      for d in self.dashboards.values() if d["collection_id"] == cid]
        if self.config.get("list_shape") == "list":
            return Reply(200, items)
        return Reply(200, {"data": items, "total": len(items), "models": models, "limit": None, "offset": None})

    def copy_dashboard(self, did, body):
        src = self.dashboards.get(did)
        if not src:
            return text(404, "Not found.")
        coll = body.get("collection_id")
        if coll is not None and coll not in self.collections:
            return text(404, "Not found.")
        nid = self.new_id()
        self.dashboards[nid] = {"id": nid, "name": body.get("name") or src["name"], "collection_id": coll,
                                "copied_from": did, "deep_copy": bool(body.get("is_deep_copy"))}
        return Reply(200, dict(self.dashboards[nid]))

    def write_graph(self, body):
        if body.get("revision") != self.revision:
            return text(409, "Looks like someone else edited the permissions and your data is out of date. "
                             "Please fetch new data and try again.")
        groups = body.get("groups")
        if not isinstance(groups, dict):
            return Reply(400, {"errors": {"groups": "invalid graph"}})
        new = self.config.get("graph_shape", "new") == "new"
        for gid, dbs in groups.items():
            if int(gid) not in self.groups or not isinstance(dbs, dict):
                return Reply(400, {"message": "Invalid permissions graph: unknown group %s" % gid})
            for db, entry in dbs.items():
                ok = isinstance(entry, dict) and (("view-data" in entry) if new else ("data" in entry))
                if not ok:
                    return Reply(400, {"message": "Invalid permissions graph for group %s db %s" % (gid, db)})
        for gid, dbs in groups.items():
            self.perms.setdefault(gid, {}).update(dbs)
        self.revision += 1
        self.graph_writes += 1
        return Reply(200, {"revision": self.revision, "groups": self.perms})


def args(ap):
    ap.add_argument("--api-key", default="mb-test-key")


if __name__ == "__main__":
    fakelib.main(FakeMetabase, args)
