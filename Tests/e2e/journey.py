"""The e-archive journey in headless Chromium (run by Tests/e2e/run.sh).

Branch admin: 9 pages refused in place, 12 pages → 待审批. Committee: finds it in /inbox, opens
the review page with its thumbnails, rejects with a reason. Branch admin: sees 认证不通过 and the
reason, replaces the file. Committee: approves. Member: sees 已认证 and downloads the file,
byte-identical to what was uploaded. A screenshot after every step.
"""
import argparse
import hashlib
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ACCOUNTS = {
    "branch_admin": ("37021120020315123X", "Zhtj@2026"),
    "committee_admin": ("370211199104261104", "Zhtj@2026"),
    "member_new": ("370211200211081278", "Zhtj@2026"),
}
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
    for name in ("base", "shots", "downloads", "nine", "first", "second"):
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

    violations = csp_violations()
    expect(not violations, "Content-Security-Policy violations: %r" % violations)


if __name__ == "__main__":
    sys.exit(main())
