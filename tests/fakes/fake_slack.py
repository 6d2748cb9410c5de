#!/usr/bin/python3
"""A fake Slack Web API, written from ../shared/reference/integrations-api.md §3.

POST /api/<method> (form-encoded or JSON), Authorization: Bearer <token>.
Always HTTP 200 with {"ok":true,...} or {"ok":false,"error":"<code>"},
except rate limiting (HTTP 429, Retry-After, {"ok":false,"error":"ratelimited"},
injected as a fault: {"kind":"status","status":429,"headers":{"Retry-After":"2"}}).

By hand: POST /_fake/members {"usergroup": id, "add": [user ids], "remove": [user ids]} changes a
group's members as a person in Slack would (not a service request); answers the group.
A disabled group keeps its member list (usergroups.users.list include_disabled=true shows it).

usergroups.users.update REPLACES the membership with the comma-separated
`users` string (as Slack does: whoever is not in it is dropped); a JSON array
there gives invalid_array_arg, an empty list no_users_provided. Every write of
a member list is recorded in the state's "writes": {usergroup, by ("client",
or "concurrent" for the fault below), before, after, dropped: the members
before the write that it removed}; "dropped_total" sums them.

Faults of this fake (besides fakelib's):
  {"kind": "concurrent_write", "path": "usergroups.users.update"}: the write
      is applied, then another writer that read the list before it writes
      that stale list back (as a second runner without a lock would),
      dropping what this write added; "stale": [ids] sets the list it writes.

Run: /usr/bin/python3 tests/fakes/fake_slack.py --port-file F [--token T]
Seed: POST /_fake/seed {"users":[{"email":...}], "usergroups":[{"handle":..., "users":[...], "disabled":true}]}

chat.postMessage (channel "#name" or an id, text) keeps each message in the
state's "messages" ({channel, text, ts}). Until channels are seeded
({"channels": ["#ops"]}) every channel exists; then another one gives
channel_not_found.
"""

import re
import secrets
import time

import fakelib
from fakelib import Reply


def ok(**kw):
    d = {"ok": True}
    d.update(kw)
    return Reply(200, d)


def fail(code, **kw):
    d = {"ok": False, "error": code}
    d.update(kw)
    return Reply(200, d)


class FakeSlack(fakelib.Fake):
    name = "slack"

    def initial(self):
        self.users = {}       # id -> {id, name, deleted, profile:{email}}
        self.groups = {}      # id -> usergroup
        self.updates = 0
        self.writes = []      # every member-list write: {usergroup, by, before, after, dropped}
        self.messages = []    # chat.postMessage: {channel, text, ts}
        self.channels = set()

    def state(self):
        return {"users": list(self.users.values()), "usergroups": list(self.groups.values()),
                "membership_writes": self.updates, "writes": self.writes,
                "dropped_total": sum(len(w["dropped"]) for w in self.writes), "messages": list(self.messages)}

    def write_members(self, g, ids, by):
        before = list(g["users"])
        g["users"] = list(ids)
        self.writes.append({"usergroup": g["id"], "by": by, "before": before, "after": list(ids),
                            "dropped": [u for u in before if u not in ids]})

    def custom_fault(self, fault, req):
        if fault.get("kind") != "concurrent_write":
            return None
        with self.lock:
            g = self.groups.get(req.form().get("usergroup"))
            stale = list(fault.get("stale", g["users"] if g else []))
            r = self.route(req)
            if g:
                self.write_members(g, stale, "concurrent")
            return r

    def add_user(self, email, deleted=False):
        uid = "U" + secrets.token_hex(5).upper()
        self.users[uid] = {"id": uid, "name": email.split("@")[0], "deleted": deleted,
                           "profile": {"email": email}}
        return uid

    def add_group(self, name, handle, description="", users=None, disabled=False):
        gid = "S" + secrets.token_hex(5).upper()
        self.groups[gid] = {"id": gid, "team_id": "T0001", "name": name, "handle": handle,
                            "description": description, "is_usergroup": True,
                            "date_create": int(time.time()), "date_delete": int(time.time()) if disabled else 0,
                            "users": list(users or []), "user_count": len(users or [])}
        return gid

    def seed(self, data):
        out = {"users": [], "usergroups": []}
        for u in data.get("users", []):
            out["users"].append(self.add_user(u["email"], u.get("deleted", False)))
        for ch in data.get("channels", []):
            self.channels.add(ch)
        for g in data.get("usergroups", []):
            out["usergroups"].append(self.add_group(g.get("name", g["handle"]), g["handle"],
                                                    g.get("description", ""), g.get("users"),
                                                    g.get("disabled", False)))
        return out

    def default_error(self, status):
        if status == 429:
            return Reply(429, {"ok": False, "error": "ratelimited"})
        return Reply(status, "<html><body>Slack is having trouble</body></html>", "text/html")

    def group_json(self, g, with_users=True):
        d = dict(g)
        d["user_count"] = len(g["users"])
        if not with_users:
            d.pop("users")
        return d

    def control_members(self, req):
        a = req.json() or {}
        with self.lock:
            g = self.groups.get(a.get("usergroup"))
            if not g:
                return Reply(404, {"ok": False, "error": "no_such_subteam"})
            g["users"] = [u for u in g["users"] if u not in a.get("remove", [])]
            g["users"] += [u for u in a.get("add", []) if u not in g["users"]]
            return Reply(200, self.group_json(g))

    def route(self, req):
        m = re.fullmatch(r"/api/([a-zA-Z.]+)", req.path)
        if not m or req.method != "POST":
            return Reply(404, "Not found", "text/plain")
        auth = req.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return fail("not_authed")
        if auth[7:] != self.options.token:
            return fail("invalid_auth")
        a = req.form()
        method = m.group(1)
        if method == "auth.test":
            return ok(url="https://fake.slack.com/", team="Fake Team", user="hyopps-bot", team_id="T0001",
                      user_id="UBOT", bot_id="BBOT")
        if method == "users.lookupByEmail":
            email = (a.get("email") or "").lower()
            for u in self.users.values():
                if u["profile"]["email"].lower() == email:
                    return ok(user=u)
            return fail("users_not_found")
        if method == "usergroups.list":
            disabled = str(a.get("include_disabled", "")).lower() in ("true", "1")
            users = str(a.get("include_users", "")).lower() in ("true", "1")
            return ok(usergroups=[self.group_json(g, users) for g in self.groups.values()
                                  if disabled or not g["date_delete"]])
        if method == "usergroups.create":
            name, handle = a.get("name"), a.get("handle")
            if not name:
                return fail("invalid_arguments")
            if any(g["name"].lower() == name.lower() for g in self.groups.values()):
                return fail("name_already_exists")
            if handle and any(g["handle"].lower() == handle.lower() for g in self.groups.values()):
                return fail("handle_already_exists")
            if handle and not re.fullmatch(r"[a-z0-9._-]+", handle):
                return fail("bad_handle")
            gid = self.add_group(name, handle or name.lower(), a.get("description", ""))
            return ok(usergroup=self.group_json(self.groups[gid]))
        if method in ("usergroups.enable", "usergroups.disable"):
            g = self.groups.get(a.get("usergroup"))
            if not g:
                return fail("no_such_subteam")
            g["date_delete"] = 0 if method.endswith("enable") else int(time.time())
            return ok(usergroup=self.group_json(g))
        if method == "usergroups.users.list":
            g = self.groups.get(a.get("usergroup"))
            if not g:
                return fail("no_such_subteam")
            return ok(users=list(g["users"]))
        if method == "usergroups.users.update":
            g = self.groups.get(a.get("usergroup"))
            if not g:
                return fail("no_such_subteam")
            users = a.get("users")
            if isinstance(users, list) or (isinstance(users, str) and users.strip().startswith("[")):
                return fail("invalid_array_arg")
            ids = [x.strip() for x in (users or "").split(",") if x.strip()]
            if not ids:
                return fail("no_users_provided")
            if any(x not in self.users for x in ids):
                return fail("invalid_users")
            self.write_members(g, ids, "client")
            self.updates += 1
            return ok(usergroup=self.group_json(g))
        if method == "chat.postMessage":
            channel, text = a.get("channel") or "", a.get("text") or ""
            if not channel:
                return fail("channel_not_found")
            if not text:
                return fail("no_text")
            if self.channels and channel not in self.channels:
                return fail("channel_not_found")
            ts = "%.6f" % (time.time() + len(self.messages) / 1e6)
            self.messages.append({"channel": channel, "text": text, "ts": ts})
            return ok(channel="C" + channel.lstrip("#").upper()[:9], ts=ts, message={"text": text, "ts": ts})
        return fail("unknown_method")


def args(ap):
    ap.add_argument("--token", default="xoxb-test-token")


if __name__ == "__main__":
    fakelib.main(FakeSlack, args)
