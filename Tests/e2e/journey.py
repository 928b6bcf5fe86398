"""The e-archive journey in headless Chromium (run by Tests/e2e/run.sh).

Branch admin: 9 pages refused in place, 12 pages → 待审批. Committee: finds it in /inbox, opens
the review page with its thumbnails, rejects with a reason. Branch admin: sees 认证不通过 and the
reason, replaces the file. Committee: approves. Member: sees 已认证 and downloads the file,
byte-identical to what was uploaded.

Onboarding (issue 9): the committee downloads the sub-org template, fills it (openpyxl, an
independent writer) with two branches and uploads it; generates a registration code for the
first; a new person registers with it as that branch's admin, logs in, downloads the member
template, fills 10 rows (3 new members, 5 earlier ones, 2 with errors), uploads it, sees the two
row errors with their numbers, and follows the link to the new members' archive uploads.

Transfers (issue 10): an unverified new member's application is refused with the gate's
message on the page. The member verified above applies to move to the second school's branch;
the source branch and then the destination branch approve from their operation centres; the
member's verified archive is now in the new branch's list and no longer in the old one's.

A screenshot after every step.
"""
import argparse
import datetime
import hashlib
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ACCOUNTS = {
    "branch_admin": ("37021120020315123X", "Zhtj@2026"),
    "committee_admin": ("370211199104261104", "Zhtj@2026"),
    "member_new": ("370211200211081278", "Zhtj@2026"),
    "member_new_2": ("370212200302031280", "Zhtj@2026"),
    "other_branch_admin": ("37020320030410167X", "Zhtj@2026"),
}
OTHER_BRANCH = "qdu-wx-2021-1"
OTHER_BRANCH_NAME = "文学院2021级1班团支部"
MEMBER = "p-c1-03"
MEMBER_NAME = "马晓东"
REASON = "第3页字迹不清晰，请重新扫描"

args = None
driver = None
step_number = 0


def log(message):
    print("  e2e: " + message, flush=True)


def shot(name):
    global step_number
    step_number += 1
    path = os.path.join(args.shots, "%02d-%s.png" % (step_number, name))
    driver.save_screenshot(path)
    log("screenshot %s" % path)


def wait(condition, timeout=20, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message)


def text_of(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def go(path):
    driver.get(args.base + path)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def login(role):
    account, password = ACCOUNTS[role]
    go("/")
    wait(EC.presence_of_element_located((By.ID, "login-form")))
    driver.find_element(By.ID, "account").send_keys(account)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    wait(lambda d: "/home" in d.current_url or "/me/archive" in d.current_url, message="login of %s" % role)
    log("logged in as %s → %s" % (role, driver.current_url))


def logout():
    driver.find_element(By.ID, "logout").click()
    wait(EC.presence_of_element_located((By.ID, "login-form")), message="logout")


def upload(path):
    field = driver.find_element(By.ID, "file")
    field.send_keys(path)
    driver.find_element(By.ID, "upload-button").click()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def csp_violations():
    try:
        entries = driver.get_log("browser")
    except Exception:  # noqa: BLE001 - logs are a bonus
        return []
    return [e["message"] for e in entries if "Content Security Policy" in e.get("message", "") or "Refused to" in e.get("message", "")]


def open_review_from_inbox():
    go("/inbox")
    wait(EC.presence_of_element_located((By.ID, "inbox-table")))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr") if MEMBER_NAME in r.text]
    expect(rows, "the upload of %s is not in the committee's inbox" % MEMBER_NAME)
    expect("团员电子档案审批" in rows[0].text, "inbox row type: %r" % rows[0].text)
    shot("committee-inbox")
    rows[0].find_element(By.LINK_TEXT, "审批").click()
    wait(EC.presence_of_element_located((By.ID, "thumbs")))


def wait_for_thumbnails(count):
    thumbs = driver.find_elements(By.CSS_SELECTOR, "#thumbs img")
    expect(len(thumbs) == count, "expected %d thumbnails, found %d" % (count, len(thumbs)))
    # Lazy images load as they come into view: scroll through them.
    for img in thumbs:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", img)
    driver.execute_script("window.scrollTo(0, 0);")
    wait(
        lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('#thumbs img')).every(i => i.complete && i.naturalWidth > 0);"
        ),
        timeout=90,
        message="thumbnails did not all load",
    )
    widths = driver.execute_script("return Array.from(document.querySelectorAll('#thumbs img')).map(i => i.naturalWidth);")
    expect(all(0 < w <= 200 for w in widths), "thumbnail widths %r" % widths)


def main():
    global args, driver
    parser = argparse.ArgumentParser()
    for name in ("base", "shots", "downloads", "nine", "first", "second", "work"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,768",
                 "--lang=zh-CN", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {
        "download.default_directory": args.downloads,
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    os.environ.setdefault("SE_AVOID_STATS", "true")
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": args.downloads})
    except Exception:  # noqa: BLE001 - older drivers: the prefs above do it
        pass
    started = time.time()
    try:
        journey()
    except (AssertionError, TimeoutException) as error:
        try:
            shot("FAILED")
        except Exception:  # noqa: BLE001
            pass
        log("FAILED at %s: %s" % (driver.current_url, error))
        return 1
    finally:
        driver.quit()
    log("journey passed in %.1f s" % (time.time() - started))
    return 0


def journey():
    # 1. The branch admin: a 9-page file is refused in place, with the server's message.
    login("branch_admin")
    expect(driver.find_elements(By.CSS_SELECTOR, ".banner"), "no ARC-12 alert banner on the admin home")
    shot("branch-home")
    go("/members/" + MEMBER)
    wait(EC.presence_of_element_located((By.ID, "upload-form")))
    expect("尚未上传" in text_of("#archive-status"), "status before upload: %r" % text_of("#archive-status"))
    upload(args.nine)
    wait(EC.visibility_of_element_located((By.ID, "action-error")), timeout=60, message="no refusal shown for 9 pages")
    message = text_of("#action-error")
    expect("必须上传12页完整的电子版《入团志愿书》，当前为9页" in message, "refusal message: %r" % message)
    log("9 pages refused: %s" % message)
    shot("nine-pages-refused")

    # 2. A 12-page file: 待审批 (through the XHR upload with its progress bar).
    upload(args.first)
    wait(lambda d: "done=uploaded" in d.current_url, timeout=60, message="12-page upload did not finish")
    wait(EC.text_to_be_present_in_element((By.ID, "archive-status"), "待审批"))
    shot("uploaded-pending")
    logout()

    # 3. The committee finds it in its inbox, reviews the thumbnails, rejects with a reason.
    login("committee_admin")
    open_review_from_inbox()
    for text in (MEMBER_NAME, "2020370200103", "2020-10-15", "计算机学院2020级1班团支部", "370***********1278"):
        expect(text in driver.page_source, "review page lacks %r" % text)
    wait_for_thumbnails(12)
    shot("review-thumbnails")
    full = driver.find_element(By.CSS_SELECTOR, "#thumbs a.thumb").get_attribute("href")
    review_url = driver.current_url
    driver.get(full)
    wait(lambda d: d.execute_script("const i = document.querySelector('img'); return i && i.complete && i.naturalWidth >= 1000;"),
         timeout=60, message="the full-size page view did not load")
    shot("full-size-page")
    driver.get(review_url)
    wait(EC.presence_of_element_located((By.ID, "reject-reason")))
    driver.find_element(By.ID, "reject-reason").send_keys(REASON)
    shot("rejecting")
    driver.find_element(By.ID, "reject-button").click()
    wait(lambda d: "done=rejected" in d.current_url, message="rejection did not complete")
    shot("rejected")
    logout()

    # 4. The branch admin sees 认证不通过 and the reason, and replaces the file.
    login("branch_admin")
    go("/members/" + MEMBER)
    wait(EC.text_to_be_present_in_element((By.ID, "archive-status"), "认证不通过"))
    notice = text_of("#rejection-notice")
    expect(REASON in notice, "rejection notice: %r" % notice)
    expect("替换档案" in text_of("#upload-button"), "no 替换档案 button")
    shot("branch-sees-rejection")
    upload(args.second)
    wait(lambda d: "done=uploaded" in d.current_url, timeout=60, message="replacement upload did not finish")
    wait(EC.text_to_be_present_in_element((By.ID, "archive-status"), "待审批"))
    shot("replaced-pending")
    logout()

    # 5. The committee approves.
    login("committee_admin")
    open_review_from_inbox()
    expect("第 2 版" in driver.page_source, "the review page does not show version 2")
    wait_for_thumbnails(12)
    driver.find_element(By.ID, "approve-button").click()
    wait(lambda d: "done=approved" in d.current_url, message="approval did not complete")
    shot("approved")
    logout()

    # 6. The member sees 已认证 and downloads the file, byte-identical.
    login("member_new")
    expect("/me/archive" in driver.current_url, "member home is %s" % driver.current_url)
    wait(EC.text_to_be_present_in_element((By.ID, "archive-status"), "已认证"))
    shot("member-verified")
    driver.find_element(By.ID, "download-mine").click()
    deadline = time.time() + 60
    downloaded = None
    while time.time() < deadline:
        done = [f for f in os.listdir(args.downloads) if f.endswith(".pdf")]
        partial = [f for f in os.listdir(args.downloads) if f.endswith(".crdownload")]
        if done and not partial:
            downloaded = os.path.join(args.downloads, done[0])
            break
        time.sleep(0.2)
    expect(downloaded, "the download did not arrive in %s" % args.downloads)
    expect(sha256(downloaded) == sha256(args.second), "the downloaded file differs from the uploaded one")
    log("downloaded %s, byte-identical (%d bytes)" % (os.path.basename(downloaded), os.path.getsize(downloaded)))

    # 7. The same page at phone width.
    driver.set_window_size(390, 844)
    go("/me/archive")
    shot("member-phone-width")
    width = driver.execute_script("return document.documentElement.scrollWidth;")
    expect(width <= 400, "the page scrolls sideways at phone width (%d px)" % width)

    driver.set_window_size(1366, 768)
    go("/me/archive")
    logout()
    onboarding()
    transfers()
    grading()
    activities()

    violations = csp_violations()
    expect(not violations, "Content-Security-Policy violations: %r" % violations)


def id_number(region, birth, sequence):
    """A valid 18-digit resident ID number (GB 11643 check digit)."""
    body = "%s%s%03d" % (region, birth.strftime("%Y%m%d"), sequence)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def downloaded(suffix, before):
    """The file that arrived in the downloads folder since `before` (a set of names)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        names = set(os.listdir(args.downloads))
        new = [n for n in names - before if n.endswith(suffix)]
        if new and not [n for n in names if n.endswith(".crdownload")]:
            return os.path.join(args.downloads, new[0])
        time.sleep(0.2)
    raise AssertionError("no %s download arrived" % suffix)


def header_columns(sheet):
    """Column number of each header (without the required-field star)."""
    return {str(c.value).lstrip("*"): c.column for c in sheet[1] if c.value}


def template_from(link_id):
    """Clicks the template link and opens the file that arrives: (workbook, first sheet, columns)."""
    import openpyxl  # the e2e venv has it: an independent reader and writer of our spreadsheets

    wait(EC.presence_of_element_located((By.ID, link_id)))
    before = set(os.listdir(args.downloads))
    driver.find_element(By.ID, link_id).click()
    book = openpyxl.load_workbook(downloaded(".xlsx", before))
    sheet = book.worksheets[0]
    return book, sheet, header_columns(sheet)


def onboarding():
    first, second = "2026级7班团支部", "2026级8班团支部"

    # 8. The committee downloads the sub-org template, fills two branches, uploads it.
    login("committee_admin")
    go("/orgs/upc-cs/children/import")
    book, sheet, columns = template_from("children-template")
    expect("组织简称" in columns and "组织类别" in columns, "sub-org template headers: %r" % list(columns))
    validations = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    expect(validations, "the 组织类别 column has no drop-down list")
    for row, name in ((2, first), (3, second)):
        sheet.cell(row=row, column=columns["组织简称"], value=name)
        sheet.cell(row=row, column=columns["组织类别"], value="团支部")
    filled = os.path.join(args.work, "children.xlsx")
    book.save(filled)
    shot("children-template-downloaded")
    driver.find_element(By.ID, "children-file").send_keys(filled)
    driver.find_element(By.ID, "children-import-button").click()
    wait(EC.presence_of_element_located((By.ID, "import-results")), timeout=60, message="no sub-org import result")
    created = text_of("#import-created")
    expect(first in created and second in created, "created sub-orgs: %r" % created)
    expect("新创建 2 个" in text_of("#import-summary"), "summary: %r" % text_of("#import-summary"))
    shot("children-created")

    # 9. A registration code for the first branch.
    go("/orgs/upc-cs/registration-codes")
    wait(EC.presence_of_element_located((By.ID, "codes-table")))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#codes-table tbody tr") if first in r.text]
    expect(rows, "the new branch is not on the registration-code page")
    rows[0].find_element(By.CSS_SELECTOR, "button").click()
    wait(EC.presence_of_element_located((By.ID, "issued-codes")))
    code = text_of("#issued-codes td.code").strip()
    expect(len(code) == 8 and code.isalnum(), "registration code shown: %r" % code)
    shot("registration-code")
    logout()

    # 10. A new person finds the branch on /register and registers as its admin.
    account = id_number("370211", datetime.date(2004, 3, 5), 417)
    password = "Xinban2026"
    go("/register")
    wait(EC.presence_of_element_located((By.ID, "register-q")))
    driver.find_element(By.ID, "register-q").send_keys(first)
    driver.find_element(By.CSS_SELECTOR, "#register-search button").click()
    wait(EC.presence_of_element_located((By.ID, "register-results")))
    driver.find_element(By.PARTIAL_LINK_TEXT, first).click()
    wait(EC.presence_of_element_located((By.ID, "register-form")))
    fields = {"reg-code": code, "reg-name": "林晓阳", "reg-id": account, "reg-mobile": "13912345678",
              "reg-password": password, "reg-confirm": password}
    for field, value in fields.items():
        driver.find_element(By.ID, field).send_keys(value)
    driver.execute_script("arguments[0].value = '2019-05-04';", driver.find_element(By.ID, "reg-joined"))
    for select, text in (("reg-gender", "男"), ("reg-post", "书记")):
        for option in driver.find_elements(By.CSS_SELECTOR, "#%s option" % select):
            if option.text.strip() == text:
                option.click()
    shot("registering")
    driver.find_element(By.ID, "register-button").click()
    wait(EC.presence_of_element_located((By.ID, "register-done")), message="registration did not succeed")
    expect(first in text_of("#register-done"), "registration notice: %r" % text_of("#register-done"))
    shot("registered")

    # 11. The new admin logs in, downloads the member template and fills 10 rows.
    ACCOUNTS["new_admin"] = (account, password)
    login("new_admin")
    go("/orgs")
    wait(EC.presence_of_element_located((By.TAG_NAME, "main")))
    links = [a for a in driver.find_elements(By.CSS_SELECTOR, "a") if "/members/import" in (a.get_attribute("href") or "")]
    expect(links, "no link to the member import on the new admin's pages")
    driver.get(links[0].get_attribute("href"))
    book, sheet, columns = template_from("template-branch_members")
    rows = []
    for i in range(10):
        joined = datetime.date(2021, 6, 1) if i < 3 else datetime.date(2019, 5, 4)
        rows.append({
            "所在团支部": first, "姓名": "导入%d号" % (i + 1), "性别": "女" if i % 2 else "男",
            "身份证号": id_number("370211", datetime.date(2006, 1, 1 + i), 301 + i * 2 + (i % 2)),
            "民族": "汉族", "学历": "普通高中", "入团时间": joined.isoformat(),
            "发展团员编号": "%d37021%07d" % (joined.year, 4100 + i), "手机号码": "1381234%04d" % i,
        })
    rows[5]["身份证号"] = rows[5]["身份证号"][:-1] + ("0" if rows[5]["身份证号"][-1] != "0" else "1")  # wrong check digit
    rows[8]["发展团员编号"] = "2015370219999"  # not the join year
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            if header in columns:
                sheet.cell(row=r, column=columns[header], value=value)
    filled = os.path.join(args.work, "members.xlsx")
    book.save(filled)
    shot("member-template-downloaded")

    # 12. Upload: 8 imported (3 of them new members), rows 7 and 10 refused with their reasons.
    driver.find_element(By.ID, "member-file").send_keys(filled)
    driver.find_element(By.ID, "member-import-button").click()
    wait(EC.presence_of_element_located((By.ID, "import-results")), timeout=120, message="no member import result")
    summary = text_of("#import-summary")
    expect("新导入 8 人" in summary and "新团员 3 人" in summary and "未导入 2 行" in summary, "import summary: %r" % summary)
    failed = text_of("#import-failed")
    expect("第7行" in failed and "第10行" in failed, "failed rows: %r" % failed)
    expect("身份证号" in failed and "发展团员编号" in failed, "failed reasons: %r" % failed)
    shot("members-imported")

    # 13. ARC-13: on to the new members' archive uploads.
    driver.find_element(By.ID, "import-next-link").click()
    wait(lambda d: "not_uploaded" in d.current_url, message="not sent on to the archive uploads")
    page = driver.page_source
    for i in (1, 2, 3):
        expect("导入%d号" % i in page, "new member 导入%d号 is not on the archive-upload list" % i)
    expect("导入4号" not in page, "a member who joined before 2020 is on the archive-upload list")
    shot("new-members-archive-uploads")
    logout()


def apply_for_transfer(reason):
    go("/me/transfers")
    wait(EC.presence_of_element_located((By.ID, "transfer-apply-form")), message="no application form on /me/transfers")
    driver.find_element(By.ID, "destination-q").send_keys("文学院2021级1班")
    driver.find_element(By.ID, "destination-search").click()
    option = wait(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "input[name=toOrgId][value='%s']" % OTHER_BRANCH)),
        message="the search did not find the second school's branch")
    option.click()
    driver.find_element(By.ID, "transfer-reason").send_keys(reason)
    driver.find_element(By.ID, "transfer-apply-button").click()


def approve_transfer_from_inbox(name):
    go("/inbox?type=transfer_approval")
    wait(EC.presence_of_element_located((By.ID, "inbox-table")))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr") if name in r.text]
    expect(rows, "the transfer of %s is not in this operation centre" % name)
    expect("组织关系转接审批" in rows[0].text, "inbox row type: %r" % rows[0].text)
    shot("transfer-inbox")
    rows[0].find_element(By.LINK_TEXT, "审批").click()
    wait(EC.presence_of_element_located((By.ID, "transfer-approve")), message="no approve button on the transfer page")
    driver.find_element(By.ID, "transfer-approve").click()
    wait(lambda d: "done=transfer-approved" in d.current_url or "done=transfer-completed" in d.current_url,
         message="the approval did not complete")


def member_rows(org):
    go("/members?org=" + org)
    wait(EC.presence_of_element_located((By.CSS_SELECTOR, "table")))
    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")]


def transfers():
    # 14. ARC-9, TRF-5: an unverified new member's application is refused on the page.
    login("member_new_2")
    apply_for_transfer("随家庭迁居")
    wait(EC.presence_of_element_located((By.ID, "transfer-error")), message="no refusal shown for the unverified member")
    refusal = text_of("#transfer-error")
    expect("团员身份尚未认证" in refusal, "refusal: %r" % refusal)
    shot("unverified-transfer-refused")
    logout()

    # 15. TRF-1: the verified member applies to the second school's branch.
    login("member_new")
    apply_for_transfer("转学至青岛大学")
    wait(lambda d: "done=transfer-submitted" in d.current_url, message="the application was not submitted")
    expect("待审批" in text_of("#open-transfer"), "progress: %r" % text_of("#open-transfer"))
    shot("transfer-applied")
    logout()

    # 16. The source branch approves, then the destination branch (TRF-1's chain).
    login("branch_admin")
    approve_transfer_from_inbox(MEMBER_NAME)
    shot("source-approved")
    logout()
    login("other_branch_admin")
    approve_transfer_from_inbox(MEMBER_NAME)
    status = text_of("#transfer-status")
    expect(status == "已完成", "transfer status after the last approval: %r" % status)
    shot("destination-approved")

    # 17. The verified archive moved with the member.
    rows = [r for r in member_rows(OTHER_BRANCH) if MEMBER_NAME in r]
    expect(rows and "已认证" in rows[0], "the new branch's list: %r" % rows)
    shot("new-branch-list")
    logout()
    login("branch_admin")
    expect(not [r for r in member_rows("upc-cs-2020-1") if MEMBER_NAME in r], "the member is still in the old branch's list")
    shot("old-branch-list")
    logout()
    login("member_new")
    go("/me/transfers")
    expect(OTHER_BRANCH_NAME in text_of("#my-branch"), "the member's branch: %r" % text_of("#my-branch"))
    expect("已完成" in text_of("#history-table"), "history: %r" % text_of("#history-table"))
    shot("member-transfer-history")
    logout()



def self_grade(grade):
    go("/orgs/upc-cs-2020-1/grading")
    wait(EC.presence_of_element_located((By.ID, "grading-form")), message="no self-grading form")
    Select(driver.find_element(By.ID, "grading-grade")).select_by_visible_text(grade)
    driver.find_element(By.ID, "grading-submit").click()
    wait(lambda d: "done=grading-submitted" in d.current_url, message="the self-grade was not submitted")
    expect(grade in text_of("#grading-self"), "self-grade shown: %r" % text_of("#grading-self"))


def review_from_inbox(branch_name, grade):
    go("/inbox?type=grading_review")
    wait(EC.presence_of_element_located((By.ID, "inbox-table")))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr") if branch_name in r.text]
    expect(rows, "the self-grade of %s is not in the committee's inbox" % branch_name)
    expect("对标定级复核" in rows[0].text, "inbox row type: %r" % rows[0].text)
    rows[0].find_element(By.LINK_TEXT, "审批").click()
    wait(EC.presence_of_element_located((By.ID, "grading-review-table")), message="no review list")
    driver.find_element(By.CSS_SELECTOR, "input[name=orgId][value='upc-cs-2020-1']").click()
    Select(driver.find_element(By.ID, "grading-review-grade")).select_by_visible_text(grade)
    driver.find_element(By.ID, "grading-review-submit").click()
    wait(lambda d: "done=grading-reviewed" in d.current_url, message="the review was not saved")


def grading():
    branch_name = "计算机学院2020级1班团支部"
    # 18. GRA-1, GRA-3: the branch grades itself against the year's criteria.
    login("branch_admin")
    driver.find_element(By.LINK_TEXT, "对标定级").click()
    wait(EC.presence_of_element_located((By.ID, "grading-criteria")), message="no criteria table from the navigation")
    expect("组织体系健全" in text_of("#grading-criteria"), "criteria: %r" % text_of("#grading-criteria"))
    self_grade("四星")
    shot("grading-self")
    logout()

    # 19. GRA-4, GRA-5: the upper committee reviews 不予定级 from its operation centre.
    login("committee_admin")
    review_from_inbox(branch_name, "不予定级")
    shot("grading-not-graded")
    logout()

    # 20. GRA-5: the branch is told, re-grades, and the committee sees the new self-grade in red.
    login("branch_admin")
    go("/inbox?type=grading_result")
    wait(EC.presence_of_element_located((By.ID, "inbox-table")))
    expect("上级复核：不予定级" in text_of("#inbox-table"), "the branch's notice: %r" % text_of("#inbox-table"))
    go("/orgs/upc-cs-2020-1/grading")
    wait(EC.presence_of_element_located((By.ID, "grading-key-rectification")), message="no key-rectification notice")
    self_grade("二星")
    logout()
    login("committee_admin")
    go("/orgs/upc-cs/grading/reviews")
    wait(EC.presence_of_element_located((By.ID, "grading-review-table")))
    red = driver.find_elements(By.CSS_SELECTOR, "#grading-review-table strong.text-danger")
    expect(red and red[0].text == "二星", "the re-grade is not highlighted: %r" % [e.text for e in red])
    shot("grading-regraded-highlighted")
    logout()




def activities():
    # 21. ACT-1: the branch records a 团课 with an attendee; the member sees it on their own page.
    login("branch_admin")
    go("/orgs/upc-cs-2020-1/activities")
    wait(EC.presence_of_element_located((By.ID, "activity-form")), message="no activity form")
    Select(driver.find_element(By.ID, "activity-kind")).select_by_visible_text("团课")
    driver.find_element(By.ID, "activity-topic").send_keys("团史学习")
    driver.find_element(By.ID, "activity-place").send_keys("南堂201")
    attendee = [l for l in driver.find_elements(By.CSS_SELECTOR, "#activity-attendees label") if "胡雪" in l.text]
    expect(attendee, "胡雪 is not offered as an attendee")
    attendee[0].find_element(By.TAG_NAME, "input").click()
    driver.find_element(By.ID, "activity-submit").click()
    wait(lambda d: "done=activity-recorded" in d.current_url, message="the activity was not recorded")
    expect("团史学习" in text_of("#activities-table"), "activities: %r" % text_of("#activities-table"))
    shot("activity-recorded")
    logout()
    login("member_new_2")
    driver.find_element(By.LINK_TEXT, "个人资料").click()
    wait(EC.presence_of_element_located((By.ID, "participation")))
    expect("团史学习" in text_of("#participation"), "participation: %r" % text_of("#participation"))
    shot("member-participation")
    logout()

    # 22. STA-1: the branch's statistics as charts, with their numbers beside them.
    login("branch_admin")
    go("/orgs/upc-cs-2020-1/stats")
    wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#chart-ages svg rect")), message="no age chart")
    expect("合计" in text_of("#chart-ages"), "age table: %r" % text_of("#chart-ages"))
    shot("branch-statistics")
    logout()

    # 23. ACT-1 年度团籍注册: the member reports the year; the branch admin finds it in the
    # operation centre and approves it from the 年度团籍注册审批 list.
    login("member_new_2")
    driver.find_element(By.LINK_TEXT, "年度团籍注册").click()
    wait(EC.presence_of_element_located((By.ID, "registration-form")), message="no registration form")
    driver.find_element(By.ID, "registration-summary").send_keys("按时参加组织生活，参加社区志愿服务。")
    driver.find_element(By.ID, "registration-submit").click()
    wait(lambda d: "done=registration-submitted" in d.current_url, message="the registration was not submitted")
    expect("待审批" in text_of("#my-registrations-table"), "registrations: %r" % text_of("#my-registrations-table"))
    shot("registration-submitted")
    logout()
    login("branch_admin")
    go("/inbox?type=registration_approval")
    wait(EC.presence_of_element_located((By.ID, "inbox-table")))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr") if "胡雪" in r.text]
    expect(rows, "the registration of 胡雪 is not in the operation centre")
    rows[0].find_element(By.TAG_NAME, "a").click()
    wait(EC.presence_of_element_located((By.ID, "registrations-table")), message="no registration list")
    row = [r for r in driver.find_elements(By.CSS_SELECTOR, "#registrations-table tbody tr") if "胡雪" in r.text]
    expect(row, "胡雪 is not in the pending list: %r" % text_of("#registrations-table"))
    row[0].find_element(By.XPATH, ".//button[text()='通过']").click()
    wait(lambda d: "done=registration-approved" in d.current_url, message="the approval did not complete")
    expect("已通过" in text_of("#registrations-table"), "after approval: %r" % text_of("#registrations-table"))
    shot("registration-approved")
    logout()


if __name__ == "__main__":
    sys.exit(main())
