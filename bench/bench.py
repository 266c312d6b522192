#!/usr/bin/env python3
"""HTTP measurements for bench/run.sh (standard library only: no wrk/oha needed).

  bench.py setup BASE                      -> prints "<workspace_id> <user_id> <access_token>"
  bench.py measure BASE WS TOKEN [--concurrency N] [--creates N]
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid


class Client:
    def __init__(self, base, token=None):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                elapsed = time.perf_counter() - t0
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        payload = json.loads(raw) if raw else None
        if resp.status >= 400:
            raise SystemExit(f"{method} {path} -> {resp.status}: {raw[:300]!r}")
        return payload, elapsed


def ms(values):
    values = sorted(values)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"median {statistics.median(values) * 1000:7.2f} ms  p95 {p(0.95) * 1000:7.2f} ms  (n={len(values)})"


def setup(base):
    c = Client(base)
    email = f"bench-{uuid.uuid4().hex[:8]}@bench.test"
    reg, _ = c.call("POST", "/api/v1/auth/register",
                    {"email": email, "password": "bench-password-123", "name": "Bench Agent"})
    c.token = reg["access_token"]
    ws, _ = c.call("POST", "/api/v1/workspaces", {"name": "Bench Shop"})
    # Tickets are enabled by run.sh once `handoff workspace plan` made the workspace Standard.
    print(ws["id"], reg["user"]["id"], c.token)


def enable_tickets(base, ws, token):
    c = Client(base, token)
    c.call("PUT", f"/api/v1/workspaces/{ws}/ticket-settings",
           {"enabled": True, "notification_email": "ops@bench.test"})


def measure(base, ws, token, concurrency, creates):
    c = Client(base, token)
    prefix = f"/api/v1/workspaces/{ws}"
    counts, _ = c.call("GET", f"{prefix}/tickets/counts")
    print(f"== counts: {json.dumps(counts)}")

    def repeat(path, n=100):
        c.call("GET", path)  # warm
        return [c.call("GET", path)[1] for _ in range(n)]

    print("\n== list page 1 (limit 25), 100 requests each")
    filters = [
        ("all (created_desc)", ""),
        ("sort=created_asc", "&sort=created_asc"),
        ("sort=updated_desc", "&sort=updated_desc"),
        ("status=open", "&status=open"),
        ("status=resolved", "&status=resolved"),
        ("assignee=me", "&assignee=me"),
        ("assignee=none", "&assignee=none"),
        ("status=open&assignee=me", "&status=open&assignee=me"),
        ("q=TKT-510001", "&q=TKT-510001"),
        ("q=refund", "&q=refund"),
        ("q=visitor123@", "&q=visitor123%40"),
    ]
    for name, qs in filters:
        print(f"  {name:26s} {ms(repeat(f'{prefix}/tickets?limit=25{qs}'))}")
    print(f"  {'counts':26s} {ms(repeat(f'{prefix}/tickets/counts'))}")

    print("\n== following next_cursor for 1,000 pages (limit 25, created_desc)")
    lat, cursor, seen = [], None, 0
    for page in range(1000):
        path = f"{prefix}/tickets?limit=25" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        body, t = c.call("GET", path)
        lat.append(t)
        seen += len(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    print(f"  pages 1-10     {ms(lat[:10])}")
    print(f"  pages 991-1000 {ms(lat[-10:])}")
    print(f"  all pages      {ms(lat)}   ({seen} tickets read, {seen // 25} pages)")
    if cursor:
        deep = f"{prefix}/tickets?limit=25&cursor={urllib.parse.quote(cursor)}"
        print(f"  page 1001 x100 {ms(repeat(deep))}")

    print(f"\n== creating {creates} tickets with {concurrency} concurrent clients")
    numbers, errors, lat = [], [], []
    lock = threading.Lock()
    per = [creates // concurrency + (1 if i < creates % concurrency else 0) for i in range(concurrency)]

    def worker(n):
        cl = Client(base, token)
        for i in range(n):
            try:
                body, t = cl.call("POST", f"{prefix}/tickets", {
                    "visitor_email": f"bench{uuid.uuid4().hex[:10]}@load.test",
                    "summary": f"Load test ticket {i}", "description": "created by bench/bench.py"})
                with lock:
                    numbers.append(body["number"]); lat.append(t)
            except SystemExit as e:
                with lock:
                    errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in per]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    print(f"  {len(numbers)} created in {wall:.2f} s = {len(numbers) / wall:.0f} tickets/s; {ms(lat)}")
    print(f"  distinct numbers: {len(set(numbers))} of {len(numbers)}; errors: {len(errors)}")
    for e in errors[:3]:
        print("   ", e)
    counts, _ = c.call("GET", f"{prefix}/tickets/counts")
    print(f"== counts after: {json.dumps(counts)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("base")
    ap.add_argument("ws", nargs="?")
    ap.add_argument("token", nargs="?")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--creates", type=int, default=2000)
    a = ap.parse_args()
    if a.cmd == "setup":
        setup(a.base)
    elif a.cmd == "enable-tickets":
        enable_tickets(a.base, a.ws, a.token)
    else:
        measure(a.base, a.ws, a.token, a.concurrency, a.creates)


if __name__ == "__main__":
    sys.exit(main())
