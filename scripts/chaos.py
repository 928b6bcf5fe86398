#!/usr/bin/env python3
"""Crash consistency (issue 12 item 1): a real `zhtj serve`, a client doing uploads, approvals,
rejections, transfers and imports, and SIGKILL at random moments, restarting the server each time.

After every restart and at the end, `zhtj verify` must be clean but for orphan blobs; every write
the client saw acknowledged (a 2xx) must be there; nothing it saw refused, or never saw answered,
may be half there. At the end `zhtj verify --collect-orphans --grace-minutes 0` removes the orphans
(the server is down, so nothing is recording one), and everything acknowledged is checked once more.

Run by scripts/chaos, which builds the binaries and, for PostgreSQL, provides a database. The last
line reads `chaos: K kills, A acknowledged, L lost, H half-present, O orphans`; the exit status is
0 only when L and H are 0 and every verify was clean.
"""
import argparse
import hashlib
import http.client
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=200)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--database-url", help="PostgreSQL: an empty database of the run's own")
    p.add_argument("--bin", required=True, help="the zhtj executable")
    p.add_argument("--max-seconds", type=float, default=2400, help="stop killing after this long, whatever --kills says")
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--workers", type=int, default=3)
    return p.parse_args()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, args, data_dir):
        self.args = args
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.pop("ZHTJ_DATABASE_URL", None)
        self.env.update(ZHTJ_DATA_DIR=data_dir, ZHTJ_PORT=str(self.port), ZHTJ_BCRYPT_COST="4", ZHTJ_LOG_LEVEL="error",
                        ZHTJ_RULES_INTERVAL_SECONDS="0")
        if args.backend == "postgres":
            self.env["ZHTJ_DATABASE_URL"] = args.database_url
        self.process = None
        self.log = open(os.path.join(data_dir, "..", "serve.log"), "ab")

    def zhtj(self, *arguments):
        run = subprocess.run([self.args.bin, *arguments], env=self.env, capture_output=True, text=True, timeout=600)
        return run.returncode, run.stdout + run.stderr

    def start(self):
        self.process = subprocess.Popen([self.args.bin, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("chaos: the server exited with %s on start; see serve.log" % self.process.returncode)
            try:
                status, _ = request(self.port, "GET", "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("chaos: the server did not answer /healthz within 60 s")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def request(port, method, path, token=None, body=None, content_type=None, timeout=15):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"raw": data[:200].decode("utf-8", "replace")}
        return response.status, parsed
    finally:
        connection.close()


def make_pdf(salt, rng):
    """A 12-page PDF with an unreferenced stream of random bytes: its own hash, and a body
    large enough (0.2–2 MiB) that kills land during its receipt."""
    pages = 12
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % (3 + i) for i in range(pages)), pages)]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    padding = rng.randbytes(rng.randint(200_000, 2_000_000))
    out = b"%PDF-1.4\n%" + salt.encode() + b"\n"
    offsets = []
    for n, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, o.encode())
    offsets.append(len(out))
    out += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (len(objs) + 1, len(padding)) + padding + b"\nendstream\nendobj\n"
    x = len(out)
    count = len(objs) + 2
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, x)
    return out


def id_number(body):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]


def make_import(names, first):
    import datetime
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("下级团支部团员团干部")
    ws.append(["*所在团支部", "*姓名", "*性别", "*身份证号", "*民族", "*学历", "政治面貌", "*入团时间", "发展团员编号", "*手机号码"])
    for i, name in enumerate(names):
        k = first + i
        birth = datetime.date(2004, 1, 1) + datetime.timedelta(days=k // 900)
        seq = "%03d" % (100 + k % 900)
        ws.append(["计算机学院2020级2班团支部", name, "男" if int(seq[-1]) % 2 else "女",
                   id_number("370205" + birth.strftime("%Y%m%d") + seq), "汉族", "大学本科", "", "2025-05-04",
                   "2025%012d" % (700000 + k), "137%08d" % k])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Ledger:
    """What the client saw: each write with its outcome, `ack` (2xx), `refused` (an answer that
    is not 2xx) or `unknown` (no answer: the kill came first)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        self.checked = 0

    def add(self, kind, outcome, **facts):
        with self.lock:
            self.entries.append(dict(kind=kind, outcome=outcome, **facts))

    def acknowledged(self):
        return sum(1 for e in self.entries if e["outcome"] == "ack")


class Client:
    def __init__(self, server, ledger, tokens, accounts, rng_seed):
        self.server = server
        self.ledger = ledger
        self.tokens = tokens
        self.accounts = accounts
        self.rng = random.Random(rng_seed)
        self.running = threading.Event()
        self.stop = False
        self.counter = 0
        self.counter_lock = threading.Lock()
        self.pool = []
        self.pool_lock = threading.Lock()

    def next_number(self):
        with self.counter_lock:
            self.counter += 1
            return self.counter

    def call(self, method, path, role, body=None, content_type=None):
        return request(self.server.port, method, path, token=self.tokens[role], body=body, content_type=content_type)

    def write(self, kind, facts, method, path, role, body=None, content_type=None):
        """One write, recorded with its outcome; returns the answer or None."""
        try:
            status, answer = self.call(method, path, role, body, content_type)
        except (OSError, http.client.HTTPException):
            self.ledger.add(kind, "unknown", **facts)
            return None
        outcome = "ack" if 200 <= status < 300 else "refused"
        if status >= 500 and status != 503:  # 503: the inspection queue is full, a refusal like any other
            facts["server_error"] = "%d %s" % (status, answer)
        self.ledger.add(kind, outcome, status=status, **facts)
        return answer if outcome == "ack" else None

    def refresh_pool(self):
        members = []
        for status in ("not_uploaded", "rejected", "pending"):
            code, answer = self.call("GET", "/api/v1/orgs/upc-cs-2020/archives?limit=100&status=" + status, "zongzhi")
            if code == 200:
                members += [i["memberId"] for i in answer.get("items", [])]
        with self.pool_lock:
            self.pool = members

    def archive_step(self):
        with self.pool_lock:
            if not self.pool:
                return
            member = self.rng.choice(self.pool)
        code, archive = self.call("GET", "/api/v1/members/%s/archive" % member, "zongzhi")
        if code != 200:
            return
        if archive["status"] == "pending":
            if self.rng.random() < 0.8:
                reason = "第%d页不清晰（混沌%d）" % (self.rng.randint(1, 12), self.next_number())
                self.write("reject", dict(member=member, archive=archive["archiveId"], reason=reason), "POST",
                           "/api/v1/archives/%s/reject" % archive["archiveId"], "committee",
                           json.dumps({"reason": reason}).encode(), "application/json")
            else:
                self.write("approve", dict(member=member, archive=archive["archiveId"]), "POST",
                           "/api/v1/archives/%s/approve" % archive["archiveId"], "committee")
        elif archive["status"] != "verified":
            pdf = make_pdf("chaos-%d" % self.next_number(), self.rng)
            sha = hashlib.sha256(pdf).hexdigest()
            self.write("upload", dict(member=member, sha=sha), "PUT", "/api/v1/members/%s/archive" % member, "zongzhi",
                       pdf, "application/pdf")
        else:
            with self.pool_lock:
                if member in self.pool:
                    self.pool.remove(member)

    def transfer_step(self):
        member = self.accounts["member_old"]["memberId"]
        code, detail = self.call("GET", "/api/v1/members/%s" % member, "zongzhi")
        if code != 200:
            return
        here = detail["branch"]["id"]
        there, starter = ("upc-cs-2020-2", "branch") if here == "upc-cs-2020-1" else ("upc-cs-2020-1", "sibling")
        reason = "调整班级（混沌%d）" % self.next_number()
        started = self.write("transfer", dict(member=member, reason=reason), "POST", "/api/v1/transfers", starter,
                             json.dumps({"kind": "out", "memberId": member, "toOrgId": there, "reason": reason}).encode(),
                             "application/json")
        if started:
            self.write("transfer_approve", dict(member=member, transfer=started["id"], reason=reason), "POST",
                       "/api/v1/transfers/%s/approve" % started["id"], "zongzhi")
        else:
            # A transfer left pending by an earlier kill blocks the member: decide it.
            code, listing = self.call("GET", "/api/v1/members/%s/transfers" % member, "zongzhi")
            for item in listing.get("items", []) if code == 200 else []:
                if item["status"] == "pending":
                    self.write("transfer_approve", dict(member=member, transfer=item["id"], reason=item["reason"]), "POST",
                               "/api/v1/transfers/%s/approve" % item["id"], "zongzhi")

    def import_step(self):
        first = self.next_number() * 3
        names = ["混沌%d号" % (first + i) for i in range(3)]
        workbook = make_import(names, first)
        self.write("import", dict(names=names), "POST", "/api/v1/orgs/upc-cs-2020-2/members/import?kind=branch_members", "zongzhi",
                   workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def work(self):
        while not self.stop:
            if not self.running.wait(timeout=0.2):
                continue
            try:
                roll = self.rng.random()
                if roll < 0.70:
                    self.archive_step()
                elif roll < 0.85:
                    self.transfer_step()
                else:
                    self.import_step()
            except (OSError, http.client.HTTPException, KeyError, ValueError):
                time.sleep(0.02)


class Checker:
    def __init__(self, server, tokens):
        self.server = server
        self.tokens = tokens
        self.lost = []
        self.half = []

    def get(self, path, role="zongzhi"):
        code, answer = request(self.server.port, "GET", path, token=self.tokens[role], timeout=30)
        if code != 200:
            raise SystemExit("chaos: GET %s answered %s %s" % (path, code, answer))
        return answer

    def branch_names(self, branch):
        names, cursor = [], None
        while True:
            answer = self.get("/api/v1/orgs/%s/members?limit=100%s" % (branch, "&cursor=" + cursor if cursor else ""))
            names += [m["name"] for m in answer["items"]]
            cursor = answer.get("nextCursor")
            if not cursor:
                return names

    def check(self, entries):
        archives, transfers = {}, {}
        names = None
        for e in entries:
            if "server_error" in e:
                self.half.append("a 5xx: %s %s" % (e["kind"], e["server_error"]))
            if e["kind"] in ("upload", "reject", "approve") and e["member"] not in archives:
                archives[e["member"]] = self.get("/api/v1/members/%s/archive" % e["member"])
            if e["kind"].startswith("transfer") and e["member"] not in transfers:
                transfers[e["member"]] = self.get("/api/v1/members/%s/transfers" % e["member"])["items"]
            if e["kind"] == "import" and names is None:
                names = {}
                for name in self.branch_names("upc-cs-2020-2"):
                    names[name] = names.get(name, 0) + 1
            self.judge(e, archives, transfers, names)

    def judge(self, e, archives, transfers, names):
        what, outcome = e["kind"], e["outcome"]
        if what == "upload":
            present = sum(1 for v in archives[e["member"]]["versions"] if v["sha256"] == e["sha"])
            self.expect(e, present, once=True)
        elif what == "reject":
            present = sum(1 for d in archives[e["member"]]["decisions"] if d["kind"] == "reject" and d.get("reason") == e["reason"])
            self.expect(e, present, once=True)
        elif what == "approve":
            archive = archives[e["member"]]
            approvals = sum(1 for d in archive["decisions"] if d["kind"] == "approve")
            if approvals > 1:
                self.half.append("archive %s approved %d times" % (e["archive"], approvals))
            if outcome == "ack" and (archive["status"] != "verified" or approvals != 1):
                self.lost.append("approval of %s (status %s)" % (e["archive"], archive["status"]))
        elif what == "transfer":
            present = sum(1 for t in transfers[e["member"]] if t["reason"] == e["reason"])
            self.expect(e, present, once=True)
        elif what == "transfer_approve":
            item = next((t for t in transfers[e["member"]] if t["id"] == e["transfer"]), None)
            if outcome == "ack" and (item is None or item["status"] != "completed"):
                self.lost.append("approval of transfer %s" % e["transfer"])
        elif what == "import":
            counts = [names.get(n, 0) for n in e["names"]]
            if any(c > 1 for c in counts):
                self.half.append("import %s entered twice" % e["names"])
            present = sum(1 for c in counts if c)
            if outcome == "ack" and present != len(counts):
                self.lost.append("import %s (%d of %d rows)" % (e["names"], present, len(counts)))
            elif outcome == "refused" and present:
                self.half.append("refused import %s has %d rows" % (e["names"], present))
            elif outcome == "unknown" and present not in (0, len(counts)):
                self.half.append("unanswered import %s has %d of %d rows" % (e["names"], present, len(counts)))

    def expect(self, e, present, once):
        label = "%s %s" % (e["kind"], {k: v for k, v in e.items() if k not in ("kind", "outcome")})
        if present > 1 and once:
            self.half.append("%s recorded %d times" % (label, present))
        if e["outcome"] == "ack" and present == 0:
            self.lost.append(label)
        elif e["outcome"] == "refused" and present:
            self.half.append("refused %s is present" % label)


def verify(server, failures, when):
    code, output = server.zhtj("verify")
    if code not in (0, 2):
        failures.append("%s: zhtj verify exit %d: %s" % (when, code, output.strip()[-1500:]))
    return sum(1 for line in output.splitlines() if line.startswith("orphaned blob"))


def main():
    args = parse()
    if args.backend == "postgres" and not args.database_url:
        raise SystemExit("chaos: --backend postgres needs --database-url (scripts/chaos provides one)")
    accounts = json.load(open(os.path.join(ROOT, "fixtures/demo-accounts.json")))["roles"]
    work = tempfile.mkdtemp(prefix="zhtj-chaos.")
    data_dir = os.path.join(work, "data")
    os.makedirs(data_dir)
    server = Server(args, data_dir)
    code, output = server.zhtj("demo")
    if code != 0:
        raise SystemExit("chaos: zhtj demo failed: " + output)
    server.start()
    roles = {"branch": "branch_admin", "sibling": "sibling_branch_admin", "zongzhi": "zongzhi_admin", "committee": "committee_admin"}
    tokens = {}
    for short, role in roles.items():
        status, answer = request(server.port, "POST", "/api/v1/login",
                                 body=json.dumps({"account": accounts[role]["account"], "password": accounts[role]["password"]}).encode(),
                                 content_type="application/json")
        if status != 200:
            raise SystemExit("chaos: login %s: %s %s" % (role, status, answer))
        tokens[short] = answer["token"]

    rng = random.Random(args.seed)
    ledger = Ledger()
    client = Client(server, ledger, tokens, accounts, args.seed + 1)
    client.refresh_pool()
    threads = [threading.Thread(target=client.work, daemon=True) for _ in range(args.workers)]
    for t in threads:
        t.start()
    checker = Checker(server, tokens)
    failures = []
    kills = 0
    started = time.time()
    print("chaos: %s, seed %d, up to %d kills, data in %s" % (args.backend, args.seed, args.kills, work), flush=True)
    try:
        while kills < args.kills and time.time() - started < args.max_seconds:
            client.running.set()
            time.sleep(rng.uniform(0.02, 1.5))
            server.kill()
            client.running.clear()
            kills += 1
            time.sleep(0.05)  # the workers' requests in flight fail now, recorded as unanswered
            verify(server, failures, "after kill %d" % kills)
            server.start()
            with ledger.lock:
                fresh = ledger.entries[ledger.checked:]
                ledger.checked = len(ledger.entries)
            checker.check(fresh)
            client.refresh_pool()
            if kills % 20 == 0:
                print("chaos: %d kills, %d writes (%d acknowledged), %.0f s" % (kills, len(ledger.entries), ledger.acknowledged(),
                                                                               time.time() - started), flush=True)
            if failures or checker.lost or checker.half:
                break
    finally:
        client.stop = True
        client.running.set()
        for t in threads:
            t.join(timeout=30)
        server.stop()

    orphans = verify(server, failures, "at the end")
    code, output = server.zhtj("verify", "--collect-orphans", "--grace-minutes", "0")
    if code not in (0, 2):
        failures.append("collect-orphans: exit %d: %s" % (code, output.strip()[-1500:]))
    code, output = server.zhtj("verify")
    if code != 0:
        failures.append("after collecting the orphans, zhtj verify exit %d: %s" % (code, output.strip()[-1500:]))
    # Everything once more, after the collection: no referenced blob went with the orphans.
    server.start()
    final = Checker(server, tokens)
    final.check(ledger.entries)
    server.stop()
    lost = sorted(set(checker.lost + final.lost))
    half = sorted(set(checker.half + final.half))
    for line in failures + ["lost: " + x for x in lost] + ["half-present: " + x for x in half]:
        print("chaos: " + line)
    outcomes = {}
    for e in ledger.entries:
        outcomes["%s %s" % (e["kind"], e["outcome"])] = outcomes.get("%s %s" % (e["kind"], e["outcome"]), 0) + 1
    print("chaos: writes by outcome: " + ", ".join("%s %d" % kv for kv in sorted(outcomes.items())))
    print("chaos: %d kills, %d acknowledged, %d lost, %d half-present, %d orphans" % (kills, ledger.acknowledged(), len(lost), len(half), orphans))
    if not failures and not lost and not half:
        subprocess.run(["rm", "-rf", work])
    sys.exit(1 if failures or lost or half else 0)


if __name__ == "__main__":
    main()
