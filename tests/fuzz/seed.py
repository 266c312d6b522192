"""Seeds a fresh Handoff server for the spec fuzzer; prints shell `export` lines.

The operator account exists already (`handoff create-user` + `handoff operator grant` in
run.sh). This logs it in, creates a workspace on the Pro plan (through the operator API)
with tickets enabled, some content of every kind, an API key and a widget visitor, so
every operation has real ids to work on.
"""

import os
import sys

import requests

base = os.environ["HANDOFF_FUZZ_URL"]
email = os.environ["HANDOFF_FUZZ_EMAIL"]
password = os.environ["HANDOFF_FUZZ_PASSWORD"]
s = requests.Session()


def call(method, path, token=None, body=None, want=(200, 201, 204)):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = s.request(method, base + path, json=body, headers=headers, timeout=30)
    if r.status_code not in want:
        sys.exit(f"seed: {method} {path} answered {r.status_code}: {r.text}")
    return r.json() if r.content else None


user = call("POST", "/api/v1/auth/login", body={"email": email, "password": password})["access_token"]
ws = call("POST", "/api/v1/workspaces", user, {"name": "Fuzz shop"})
wsid = ws["id"]
w = f"/api/v1/workspaces/{wsid}"
call("PUT", f"/api/v1/operator/workspaces/{wsid}/plan", user, {"plan": "pro"})
call("PUT", f"{w}/ticket-settings", user, {"enabled": True, "notification_email": "team@example.com"})
call("PUT", f"{w}/ai-settings", user, {"instructions": "Answer from the articles. Offer a ticket when unsure."})
article = call("POST", f"{w}/articles", user, {"title": "Returns", "body": "Returns are free within 30 days."})
webhook = call("POST", f"{w}/webhooks", user, {"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]})
invitation = call("POST", f"{w}/invitations", user, {"email": "agent@example.com", "role": "agent"})
# Every scope, so the key pass reaches every operation that takes keys.
all_scopes = ["tickets:read", "tickets:write", "conversations:read", "kb:read", "kb:write", "admin"]
created_key = call("POST", f"{w}/api-keys", user, {"name": "fuzz", "scopes": all_scopes})
key = created_key["key"]
# A second key, the one `DELETE …/api-keys/{id}` gets (the first authenticates the key pass).
spare_key = call("POST", f"{w}/api-keys", user, {"name": "spare"})
session = call(
    "POST",
    "/api/v1/widget/sessions",
    body={"widget_key": ws["widget_key"], "page_url": "https://shop.example.com/"},
)
visitor = session["visitor_token"]
call("POST", "/api/v1/widget/messages", visitor, {"body": "Where is my order?"})
ticket = call(
    "POST",
    f"{w}/tickets",
    user,
    {"visitor_email": "visitor@example.com", "summary": "Order missing", "conversation_id": session["conversation_id"]},
)
me = call("GET", "/api/v1/me", user)
print(f"export HANDOFF_FUZZ_WS={wsid}")
print(f"export HANDOFF_FUZZ_WIDGET_KEY={ws['widget_key']}")
print(f"export HANDOFF_FUZZ_API_KEY={key}")
print(f"export HANDOFF_FUZZ_VISITOR={visitor}")
print(f"export HANDOFF_FUZZ_TICKET={ticket['id']}")
print(f"export HANDOFF_FUZZ_ARTICLE={article['id']}")
print(f"export HANDOFF_FUZZ_WEBHOOK={webhook['id']}")
print(f"export HANDOFF_FUZZ_INVITATION={invitation['id']}")
print(f"export HANDOFF_FUZZ_SPARE_KEY={spare_key['id']}")
print(f"export HANDOFF_FUZZ_CONVERSATION={session['conversation_id']}")
print(f"export HANDOFF_FUZZ_USER={me['id']}")
