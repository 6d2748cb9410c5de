#!/usr/bin/python3
"""Parses a message saved by fake_smtp.py with Python's own email package (an
implementation independent of the code under test) and prints JSON:
  {"headers": {Name: raw value}, "subject": decoded, "content_type": ...,
   "from_name": the From display name decoded, "from_addr": its address,
   "tree": ["multipart/mixed", "  multipart/alternative", "    text/plain", ...],
   "alternative": [{"type", "charset", "cte", "text"}, ...]}   (decoded text)
Usage: /usr/bin/python3 tests/fakes/mailcheck.py FILE.eml
"""
import email
import email.header
import email.policy
import email.utils
import json
import sys

raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.compat32)
headers = {k: v for k, v in msg.items()}
subject = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
# From: the display name decoded (RFC 2047 words, quotes) and the address
from_name, from_addr = email.utils.parseaddr(msg["From"] or "")
from_name = str(email.header.make_header(email.header.decode_header(from_name)))
tree = []


def walk(part, depth):
    tree.append("  " * depth + part.get_content_type())
    if part.is_multipart():
        for p in part.get_payload():
            walk(p, depth + 1)


walk(msg, 0)
alternative = []
for part in msg.walk():
    if part.get_content_type() == "multipart/alternative":
        for p in part.get_payload():
            alternative.append({
                "type": p.get_content_type(),
                "charset": p.get_content_charset(),
                "cte": p.get("Content-Transfer-Encoding"),
                "text": p.get_payload(decode=True).decode(p.get_content_charset() or "ascii"),
            })
        break
print(json.dumps({"headers": headers, "subject": subject, "from_name": from_name, "from_addr": from_addr, "content_type": msg.get_content_type(),
                  "tree": tree, "alternative": alternative, "bytes": len(raw)}))
