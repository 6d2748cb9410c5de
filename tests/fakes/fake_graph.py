#!/usr/bin/python3
"""A fake Microsoft Graph (Teams) and its token endpoint, written from
../shared/reference/integrations-api.md §2. Use the same base URL as
[azure] login_url and graph_url.

- POST /{tenant}/oauth2/v2.0/token (client credentials, form-encoded):
  {token_type, expires_in, access_token}; a wrong secret answers 401
  {"error":"invalid_client","error_description":"AADSTS7000215: ..."};
  expires_in comes from config token_expires_in (default 3599).
- Every /v1.0 call needs a live Bearer token, else 401 with Graph's error
  shape {"error":{"code","message","innerError":{...}}}.
- POST /v1.0/invitations: 201 with invitedUser.id (stable per email);
  re-inviting an existing user answers 201 again or, with config
  reinvite = "400", 400 (the reference marks this unverified).
- GET /v1.0/users?$filter=mail eq 'x'.
- POST /v1.0/teams/{team}/members: 201; the same 201 again when already a member.
- GET /v1.0/teams/{team}/channels?$filter=displayName eq 'X' and POST
  channels (duplicate name: 400 NameAlreadyExists).
- POST /_fake/expire_tokens: every issued token expires now.

Removing access and reading who has it (§6):
- GET /v1.0/teams/{team}/members: {value:[{id,userId,email,displayName,roles}],
  "@odata.nextLink"} paged by $top (at most config members_page_size) and
  an opaque $skiptoken; the link is absolute, on the base URL the request
  came to (config next_link_base overrides it, e.g. to another host);
- DELETE /v1.0/teams/{team}/members/{membership-id}: 204; 404 when gone;
- POST /v1.0/teams/{team}/channels/{id}/archive: 202 with no body; the
  channel shows isArchived only config archive_delay_ms (default 300) later
  (asynchronous); archiving it again meanwhile answers 202 again, once it is
  archived 400 "Channel is already archived."; the General channel 400;
  unknown 404. GET .../channels lists isArchived and is paged by config
  channels_page_size (default: one page);
- GET /v1.0/users/{id} (userType "Guest" for invited accounts, seeded ones
  "Member" unless given) and DELETE /v1.0/users/{id}: 204, the account and
  its team membership go; 404.

Control: POST /_fake/seed {"users":[{"mail","displayName","userType"}],
  "team_members":[{"mail","displayName","userType","roles"}]} (team_members:
  added to the team by hand, the account made when missing, roles e.g.
  ["owner"]; answers their membership ids); POST /_fake/team_remove {"mails":[...]} removes members by hand.

Run: /usr/bin/python3 tests/fakes/fake_graph.py --port-file F
     [--tenant T --client-id C --client-secret S --team-id TEAM]
"""

import base64
import re
import secrets
import time
import uuid
from urllib.parse import unquote

import fakelib
from fakelib import Reply

FORBIDDEN = set('~#%&*{}+/\\:<>?|\'"')


def gerror(status, code, message):
    return Reply(status, {"error": {"code": code, "message": message,
                                    "innerError": {"request-id": str(uuid.uuid4()),
                                                   "date": time.strftime("%Y-%m-%dT%H:%M:%S")}}})


def odata_eq(flt, field):
    """The value of "field eq 'value'" in a $filter, quotes undoubled."""
    if not flt:
        return None
    m = re.fullmatch(r"\s*%s\s+eq\s+'((?:[^']|'')*)'\s*" % re.escape(field), flt)
    return m.group(1).replace("''", "'") if m else None


class FakeGraph(fakelib.Fake):
    name = "graph"
    defaults = {"reinvite": "201", "token_expires_in": 3599, "members_page_size": 0, "channels_page_size": 0,
                "archive_delay_ms": 300, "next_link_base": ""}

    def initial(self):
        self.tokens = {}
        self.tokens_issued = 0
        self.users = {}          # lower(email) -> {id, mail, displayName}
        self.invitations = []
        self.members = {}        # team -> {user_id: membership}
        self.channels = {}       # team -> [channel]
        self.channels[self.options.team_id] = [
            {"id": "19:general@thread.tacv2", "displayName": "General", "membershipType": "standard"}]

    def state(self):
        return {
            "tokens_issued": self.tokens_issued,
            "users": list(self.users.values()),
            "invitations": self.invitations,
            "team_members": {t: list(m.values()) for t, m in self.members.items()},
            "channels": {t: [self.channel_json(c) for c in cs] for t, cs in self.channels.items()},
        }

    def seed(self, data):
        out = []
        for u in data.get("users", []):
            uid = str(uuid.uuid4())
            self.users[u["mail"].lower()] = {"id": uid, "mail": u["mail"], "displayName": u.get("displayName"),
                                             "userType": u.get("userType", "Member")}
            out.append(uid)
        for c in data.get("channels", []):
            self.channels.setdefault(self.options.team_id, []).append(
                {"id": "19:%s@thread.tacv2" % secrets.token_hex(8), "displayName": c["displayName"],
                 "membershipType": "standard"})
        members = []
        for u in data.get("team_members", []):
            user = self.users.get(u["mail"].lower())
            if not user:
                user = {"id": str(uuid.uuid4()), "mail": u["mail"], "displayName": u.get("displayName"),
                        "userType": u.get("userType", "Guest")}
                self.users[u["mail"].lower()] = user
            members.append(self.join_team(self.options.team_id, user, u.get("roles", []))["id"])
        return {"users": out, "team_members": members}

    def join_team(self, team, user, roles):
        tm = self.members.setdefault(team, {})
        if user["id"] not in tm:
            tm[user["id"]] = {"id": "MCMj%s==" % secrets.token_hex(10), "roles": roles, "userId": user["id"],
                              "displayName": user.get("displayName"), "email": user["mail"]}
        return tm[user["id"]]

    def control_team_remove(self, req):
        mails = [m.lower() for m in (req.json() or {}).get("mails", [])]
        removed = []
        with self.lock:
            for tm in self.members.values():
                for uid, m in list(tm.items()):
                    if (m.get("email") or "").lower() in mails:
                        removed.append(m["id"])
                        del tm[uid]
        return Reply(200, {"removed": removed})

    def control_extra(self, what, req):
        if what == "expire_tokens" and req.method == "POST":
            with self.lock:
                for t in self.tokens:
                    self.tokens[t] = 0
            return Reply(200, {"ok": True})
        return None

    def default_error(self, status):
        if status == 429:
            return gerror(429, "TooManyRequests", "Too many requests, please retry later.")
        return gerror(status, "UnknownError", "fake Graph error %d" % status)

    # ---- token endpoint ----

    def token(self, req, tenant):
        f = req.form()
        if tenant != self.options.tenant:
            return Reply(400, {"error": "invalid_request",
                               "error_description": "AADSTS90002: Tenant '%s' not found." % tenant})
        if f.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003: grant_type"})
        if f.get("client_id") != self.options.client_id:
            return Reply(400, {"error": "unauthorized_client",
                               "error_description": "AADSTS700016: Application with identifier '%s' was not found "
                                                    "in the directory." % f.get("client_id")})
        if f.get("client_secret") != self.options.client_secret:
            return Reply(401, {"error": "invalid_client",
                               "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the "
                                                    "secret being sent in the request is the client secret value."})
        if not (f.get("scope") or "").endswith("/.default"):
            return Reply(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: scope"})
        tok = "gtok-%d-%s" % (self.tokens_issued + 1, secrets.token_hex(12))
        self.tokens_issued += 1
        life = int(self.config.get("token_expires_in", 3599))
        self.tokens[tok] = time.time() + life
        return Reply(200, {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": tok})

    # ---- Graph ----

    def route(self, req):
        m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", req.path)
        if m and req.method == "POST":
            return self.token(req, m.group(1))
        auth = req.headers.get("Authorization") or ""
        tok = auth[7:] if auth.startswith("Bearer ") else None
        if not tok or self.tokens.get(tok, 0) <= time.time():
            return gerror(401, "InvalidAuthenticationToken", "Access token has expired or is not valid.")
        p, meth = req.path, req.method
        if p == "/v1.0/invitations" and meth == "POST":
            return self.invite(req.json() or {})
        if p == "/v1.0/users" and meth == "GET":
            mail = odata_eq(req.arg("$filter"), "mail")
            u = self.users.get((mail or "").lower())
            return Reply(200, {"value": [u] if u else []})
        m = re.fullmatch(r"/v1\.0/teams/([^/]+)/(members|channels)", p)
        if m:
            team, what = m.group(1), m.group(2)
            if team != self.options.team_id:
                return gerror(404, "NotFound", "No team found with Group Id %s" % team)
            if what == "members" and meth == "POST":
                return self.add_member(team, req.json() or {})
            if what == "channels" and meth == "GET":
                want = odata_eq(req.arg("$filter"), "displayName")
                chans = [self.channel_json(c) for c in self.channels.get(team, [])
                         if want is None or c["displayName"].lower() == want.lower()]
                if want is None:
                    return self.page(req, chans, int(self.config.get("channels_page_size") or 0))
                return Reply(200, {"@odata.count": len(chans), "value": chans})
            if what == "channels" and meth == "POST":
                return self.create_channel(team, req.json() or {})
        r = self.route_access(req)
        return r if r else gerror(404, "UnknownError", "Resource not found for the segment.")

    # ---- removing access and reading who has it ----

    def channel_json(self, c):
        d = {k: v for k, v in c.items() if k != "archive_at"}
        d["isArchived"] = bool(c.get("archive_at")) and time.time() >= c["archive_at"]
        return d

    def page(self, req, items, limit):
        """One page of items; @odata.nextLink on the base URL the request came to."""
        top = int(req.arg("$top", "0") or 0)
        size = min(x for x in (top, limit, len(items) or 1) if x > 0)
        start = int(base64.urlsafe_b64decode(req.arg("$skiptoken", "") or "MA==").decode() or 0)
        out = {"value": items[start:start + size]}
        if start + size < len(items):
            base = self.config.get("next_link_base") or "http://%s" % req.headers.get("Host")
            token = base64.urlsafe_b64encode(str(start + size).encode()).decode()
            out["@odata.nextLink"] = "%s%s?%s$skiptoken=%s" % (base, req.path, "$top=%d&" % top if top else "",
                                                                token)
        return Reply(200, out)

    def route_access(self, req):
        p, meth = req.path, req.method
        m = re.fullmatch(r"/v1\.0/teams/([^/]+)/(members|channels)(?:/([^/]+))?(/archive)?", p)
        if m:
            team = unquote(m.group(1))
            if team != self.options.team_id:
                return gerror(404, "NotFound", "No team found with Group Id %s" % team)
            what, item, archive = m.group(2), unquote(m.group(3) or ""), m.group(4)
            if what == "members" and not item and meth == "GET":
                members = list(self.members.get(team, {}).values())
                return self.page(req, members, int(self.config.get("members_page_size") or 0))
            if what == "members" and item and not archive and meth == "DELETE":
                tm = self.members.get(team, {})
                for uid, x in list(tm.items()):
                    if x["id"] == item:
                        del tm[uid]
                        return Reply(204)
                return gerror(404, "NotFound", "Member %s not found" % item)
            if what == "channels" and item and archive and meth == "POST":
                return self.archive(team, item)
        m = re.fullmatch(r"/v1\.0/users/([^/]+)", p)
        if m and meth in ("GET", "DELETE"):
            uid = unquote(m.group(1))
            user = next((u for u in self.users.values() if u["id"] == uid), None)
            if not user:
                return gerror(404, "Request_ResourceNotFound",
                              "Resource '%s' does not exist or one of its queried reference-property objects "
                              "are not present." % uid)
            if meth == "GET":
                return Reply(200, dict(user))
            del self.users[user["mail"].lower()]
            for tm in self.members.values():
                tm.pop(uid, None)
            return Reply(204)
        return None

    def archive(self, team, cid):
        c = next((x for x in self.channels.get(team, []) if x["id"] == cid), None)
        if not c:
            return gerror(404, "NotFound", "Channel not found")
        if c["displayName"] == "General":
            return gerror(400, "BadRequest", "The General channel cannot be archived.")
        if self.channel_json(c)["isArchived"]:
            return gerror(400, "BadRequest", "Channel is already archived.")
        if not c.get("archive_at"):
            c["archive_at"] = time.time() + int(self.config.get("archive_delay_ms", 300)) / 1000.0
        return Reply(202, None, headers={"Location": "/teams('%s')/operations('%s')" % (team, uuid.uuid4())})

    def invite(self, body):
        email = body.get("invitedUserEmailAddress")
        if not email or not body.get("inviteRedirectUrl"):
            return gerror(400, "BadRequest", "invitedUserEmailAddress and inviteRedirectUrl are required.")
        existing = self.users.get(email.lower())
        if existing and self.config.get("reinvite") == "400":
            return gerror(400, "BadRequest", "The invited user already exists in the directory as a member.")
        if not existing:
            existing = {"id": str(uuid.uuid4()), "mail": email, "displayName": body.get("invitedUserDisplayName"),
                        "userType": "Guest"}
            self.users[email.lower()] = existing
        inv = {"id": str(uuid.uuid4()), "invitedUserEmailAddress": email,
               "invitedUserDisplayName": body.get("invitedUserDisplayName"),
               "sendInvitationMessage": bool(body.get("sendInvitationMessage")),
               "inviteRedirectUrl": body.get("inviteRedirectUrl"),
               "status": "PendingAcceptance", "invitedUser": {"id": existing["id"]}}
        self.invitations.append(inv)
        return Reply(201, inv)

    def add_member(self, team, body):
        if body.get("@odata.type") != "#microsoft.graph.aadUserConversationMember":
            return gerror(400, "BadRequest", "Invalid @odata.type")
        m = re.search(r"users\('([^']+)'\)", body.get("user@odata.bind") or "")
        if not m:
            return gerror(400, "BadRequest", "user@odata.bind is required")
        uid = m.group(1)
        user = next((u for u in self.users.values() if u["id"] == uid), None)
        if not user:
            return gerror(404, "NotFound", "User %s not found" % uid)
        return Reply(201, self.join_team(team, user, body.get("roles") or []))

    def create_channel(self, team, body):
        name = body.get("displayName") or ""
        if not name or len(name) > 50 or any(ch in FORBIDDEN for ch in name):
            return gerror(400, "BadRequest", "Invalid channel displayName")
        chans = self.channels.setdefault(team, [])
        if any(c["displayName"].lower() == name.lower() for c in chans):
            return gerror(400, "NameAlreadyExists", "Channel name already existed, please use other name.")
        c = {"id": "19:%s@thread.tacv2" % secrets.token_hex(16), "displayName": name,
             "description": body.get("description"), "membershipType": body.get("membershipType", "standard")}
        chans.append(c)
        return Reply(201, c)


def args(ap):
    ap.add_argument("--tenant", default="tenant-1")
    ap.add_argument("--client-id", default="client-1")
    ap.add_argument("--client-secret", default="graph-secret")
    ap.add_argument("--team-id", default="team-1")


if __name__ == "__main__":
    fakelib.main(FakeGraph, args)
