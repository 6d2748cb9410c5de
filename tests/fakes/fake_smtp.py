#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for the email tests: Debian's aiosmtpd
(python3-aiosmtpd), run with /usr/bin/python3.

Modes:
  starttls  (default) STARTTLS offered and required before anything else;
            AUTH only after TLS; AUTH required
  implicit  TLS from the first byte (smtps), AUTH required
  plain     no STARTTLS at all (what HyOpps must refuse to send through)

Each received message is saved as DIR/mail-N.eml (the raw bytes); DIR/state.json
is rewritten after every event: connections, starttls, auth_ok, auth_fail,
quits, faults_applied, messages [{file, mail_from, rcpt_tos, tls, answered}]
("answered": false when a fault kept the 250 from the client).

Faults: DIR/faults.json (written atomically by the test: fakectl.sh fault DIR
JSON) holds a list of {"kind": K, "count": N (default 1), "seconds": S}; each
message takes the first fault with count left:
  drop_after_data   keep the message, then close the connection instead of
                    answering 250 (the client cannot know it was accepted)
  hang_after_data   keep the message, then wait "seconds" (default 30) before
                    answering 250 (the client times out first)
  reject_after_data answer "reply" (default "451 4.3.0 Try again later")
                    without keeping the message

Run: /usr/bin/python3 tests/fakes/fake_smtp.py --port-file F --dir DIR
       --cert cert.pem --key key.pem [--mode starttls|implicit|plain]
       [--user U --password P]
The certificate is made at test time (tests/fakes/make_cert.sh).
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class State:
    """Counters and the list of kept messages, in DIR/state.json, rewritten
    atomically so that a test reading it right after its client returned
    sees what happened: at each connection (before the greeting), message,
    failed login, QUIT (before the answer) and lost connection; STARTTLS and
    a good login are saved with the next of those (file system calls are
    most of this fake's time). The messages only grow: their JSON is kept
    serialized, so a save costs a write, not a dump of the whole list."""

    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.RLock()  # saves also run on the executor's threads
        self.data = {"connections": 0, "starttls": 0, "auth_ok": 0, "auth_fail": 0, "quits": 0,
                     "faults_applied": 0, "messages": []}
        self.messages_json = []
        self.save()

    def bump(self, key, save=True):
        with self.lock:
            self.data[key] += 1
            if save:
                self.save()

    def add_message(self, record):
        with self.lock:
            self.data["messages"].append(record)
            self.messages_json.append(json.dumps(record))
            self.save()

    def save(self):
        with self.lock:
            counters = {k: v for k, v in self.data.items() if k != "messages"}
            text = json.dumps(counters)[:-1] + ', "messages": [' + ", ".join(self.messages_json) + "]}"
            tmp = os.path.join(self.dir, "state.json.tmp")
            with open(tmp, "w") as f:
                f.write(text)
            os.rename(tmp, os.path.join(self.dir, "state.json"))

    async def in_background(self, fn, *args):
        """fn on a thread: its file system calls do not stall other connections."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def take_fault(directory):
    """The first fault of DIR/faults.json with count left (count decremented), or None."""
    path = os.path.join(directory, "faults.json")
    try:
        with open(path) as f:
            faults = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(faults, dict):
        faults = [faults]
    for fault in faults:
        if fault.get("count", 1) > 0:
            fault["count"] = fault.get("count", 1) - 1
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(faults, f)
            os.rename(tmp, path)
            return dict(fault)
    return None


class Handler:
    def __init__(self, state, implicit):
        self.state = state
        self.implicit = implicit

    def keep(self, session, envelope, answered):
        with self.state.lock:
            n = len(self.state.data["messages"]) + 1
            name = "mail-%d.eml" % n
            with open(os.path.join(self.state.dir, name), "wb") as f:
                f.write(envelope.original_content or envelope.content)
            self.state.add_message({
                "file": name, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "tls": bool(self.implicit or session.ssl is not None),
                "authenticated": bool(session.authenticated), "answered": answered})

    async def handle_DATA(self, server, session, envelope):
        fault = await self.state.in_background(take_fault, self.state.dir)
        if fault:
            self.state.bump("faults_applied")
            kind = fault.get("kind")
            if kind == "drop_after_data":
                self.keep(session, envelope, False)
                server.transport.abort()
                return "250 2.0.0 never seen by the client"
            if kind == "hang_after_data":
                self.keep(session, envelope, False)
                await asyncio.sleep(float(fault.get("seconds", 30)))
                return "250 2.0.0 Message accepted (too late)"
            if kind == "reject_after_data":
                return fault.get("reply", "451 4.3.0 Try again later")
        await self.state.in_background(self.keep, session, envelope, True)
        return "250 2.0.0 Message accepted for delivery"


def make_authenticator(state, user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        good = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                and auth_data.password.decode() == password)
        state.bump("auth_ok" if good else "auth_fail", save=not good)
        # handled=False: aiosmtpd answers 535 itself (its default, True, answers nothing)
        return AuthResult(success=good, handled=False)
    return authenticator


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--mode", choices=["starttls", "implicit", "plain"], default="starttls")
    ap.add_argument("--user", default="mailer@example.com")
    ap.add_argument("--password", default="smtp-secret")
    opts = ap.parse_args()
    os.makedirs(opts.dir, exist_ok=True)
    state = State(opts.dir)

    ctx = None
    if opts.mode != "plain":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.cert, opts.key)

    class CountingSMTP(SMTP):
        def connection_made(self, transport):
            if self._original_transport is None and self.transport is None:
                sock = transport.get_extra_info("socket")
                if sock is not None:  # replies go out in several writes (one per EHLO line)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                state.bump("connections")
            super().connection_made(transport)

        def connection_lost(self, error):
            super().connection_lost(error)
            state.save()

        async def smtp_STARTTLS(self, arg):
            state.bump("starttls", save=False)
            return await super().smtp_STARTTLS(arg)

        async def smtp_QUIT(self, arg):
            await state.in_background(state.bump, "quits")
            return await super().smtp_QUIT(arg)

    handler = Handler(state, opts.mode == "implicit")
    auth = make_authenticator(state, opts.user, opts.password)

    def factory():
        if opts.mode == "starttls":
            return CountingSMTP(handler, hostname="fake-smtp.test", tls_context=ctx, require_starttls=True,
                                authenticator=auth, auth_required=True, auth_require_tls=True)
        if opts.mode == "implicit":
            return CountingSMTP(handler, hostname="fake-smtp.test", authenticator=auth, auth_required=True,
                                auth_require_tls=False)
        return CountingSMTP(handler, hostname="fake-smtp.test", authenticator=auth, auth_required=False,
                            auth_require_tls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=ctx if opts.mode == "implicit" else None))
    port = server.sockets[0].getsockname()[1]
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, opts.port_file)
    print("smtp (%s) listening on 127.0.0.1:%d" % (opts.mode, port), flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
