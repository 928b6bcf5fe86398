#!/usr/bin/env python3
"""Records for scripts/openapi-check to aim at: on a fresh demo server, makes one of each thing an
API path names by an id that the demo does not hold (an archive and a decided one, a change
request, a transfer, a notice, an activity with an attachment, an annual registration), through
the API as the demo's own admins and members would, and prints a schemathesis.toml that draws
those path parameters, and the demo's org and member ids and years, from them most of the time
(the rest stay generated, so unknown and malformed ids are still tried).

    openapi_seed.py PORT > schemathesis.toml
"""

import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from chaos import make_pdf, request  # noqa: E402  (one client and one PDF maker for both harnesses)


def call(port, method, path, token=None, body=None, content_type="application/json"):
    """`chaos.request`, with dict bodies as JSON, and any answer but a 2xx ends the seeding."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    status, answer = request(port, method, path, token=token, body=body, content_type=content_type if body is not None else None,
                             timeout=60)
    if status >= 300:
        raise SystemExit("openapi_seed: %s %s answered %d: %s" % (method, path, status, json.dumps(answer, ensure_ascii=False)[:300]))
    return answer


def login(port, role):
    """A session token of the demo role (scripts/openapi-check logs its role in with this too)."""
    account = json.load(open(os.path.join(ROOT, "fixtures/demo-accounts.json")))["roles"][role]
    return call(port, "POST", "/api/v1/login", body={"account": account["account"], "password": account["password"]})["token"]


def main():
    port = int(sys.argv[1])
    branch, committee, member = (login(port, role) for role in ("branch_admin", "committee_admin", "member_new"))
    rng = random.Random(7)
    pdf = lambda salt: make_pdf(salt, rng)  # noqa: E731

    ids = {name: [] for name in ("archiveId", "requestId", "transferId", "noticeId", "activityId", "attachmentId", "registrationId")}

    # An archive awaiting review (p-c1-03) and one approved, with a change request on it (p-c1-04).
    call(port, "PUT", "/api/v1/members/p-c1-03/archive", branch, pdf("openapi-1"), "application/pdf")
    call(port, "PUT", "/api/v1/members/p-c1-04/archive", branch, pdf("openapi-2"), "application/pdf")
    for member_id in ("p-c1-03", "p-c1-04"):
        ids["archiveId"].append(call(port, "GET", "/api/v1/members/%s/archive" % member_id, branch)["archiveId"])
    call(port, "POST", "/api/v1/archives/%s/approve" % ids["archiveId"][1], committee)
    change = call(port, "POST", "/api/v1/members/p-c1-04/archive/change-requests", branch, {"reason": "志愿书扫描件缺页，需重新上传"})
    ids["requestId"].append(change["id"])

    transfer = call(port, "POST", "/api/v1/transfers", branch,
                    {"kind": "out", "memberId": "p-c1-05", "toOrgId": "upc-cs-2020-2", "reason": "调整班级"})
    ids["transferId"].append(transfer["id"])

    notice = call(port, "POST", "/api/v1/orgs/upc-cs/notices", committee,
                  {"title": "关于开展主题团日活动的通知", "text": "请各团支部于本月内开展主题团日活动并上传记录。"})
    ids["noticeId"].append(notice["id"])

    activity = call(port, "POST", "/api/v1/orgs/upc-cs-2020-1/activities", branch,
                    {"kind": "league_day", "date": "2026-11-20", "topic": "主题团日活动：学习团章"})
    ids["activityId"].append(activity["id"])
    attachment = call(port, "POST", "/api/v1/activities/%s/attachments" % activity["id"], branch, pdf("openapi-3"), "application/pdf")
    ids["attachmentId"].append(attachment["id"])

    registration = call(port, "POST", "/api/v1/members/p-c1-03/registrations", member,
                        {"year": 2026, "summary": "本年度按时参加团组织生活，按期交纳团费。"})
    ids["registrationId"].append(registration["id"])

    # The demo's own orgs, members and years, so that fuzzed requests reach past the 404 too.
    ids["orgId"] = ["upc-cs-2020-1", "upc-cs-2020", "upc-cs", "upc", "sd", "qdu", "qdu-wx-2021-1"]
    ids["memberId"] = ["p-c1-03", "p-c1-04", "p-c1-05", "p-c1-01", "p-c2-01", "p-wx-01"]
    ids["year"] = [2026, 2025]

    print("# Made by scripts/openapi_seed.py for one scripts/openapi-check run.")
    for name, values in ids.items():
        print("[dictionaries.%s]\nvalues = %s\n" % (name, json.dumps(values)))
    print("[parameters]")
    for name in ids:
        print('"path.%s" = { dictionary = "%s", probability = 0.8 }' % (name, name))


if __name__ == "__main__":
    main()
