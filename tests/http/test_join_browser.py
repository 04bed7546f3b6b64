"""The mailed link in a real browser (issue 5): a user added with an invitation by each of the
four dialects -- SOAJS addUser (pendingNew), Xtracta without a password, Skedulo POST /users
(sendInvitation, the default) and through a background /users/bulk task, ServicePower without
Password -- gets exactly one mail in the test mailbox; one headless Chromium session (Debian's
chromium + chromium-driver, driven by Debian's python3-selenium) opens each link from its
mail, fills the form (the first one is told off for a mismatched confirmation first),
submits, and sees success; the database then holds an active account with a new yescrypt
hash and a spent token, and the link works only once."""
import crypt  # noqa: PLC0415 - deprecated module, still the way to call crypt(3)
import json
import re
import shutil
import sys
import tempfile
import time

from harness import check, eq, quote
from mailtest import command, deliver_json, new_mailbox, parse, raw_messages, uniq
from servicepower_util import jwt

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SKEDULO = "/onboarding/provision/standalone/users"
SUBJECTS = {"set_password": "Set your password", "invitation": "You are invited"}


def selenium():
    """Debian's python3-selenium, also when the tests run under another Python 3 whose own
    path does not include Debian's dist-packages."""
    try:
        import selenium.webdriver  # noqa: F401
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import selenium.webdriver  # noqa: F401
        except ImportError as e:
            raise AssertionError("python3-selenium is not installed (apt-get install "
                                 f"chromium chromium-driver python3-selenium): {e}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    return webdriver, Service, By, WebDriverWait, expected_conditions


def start_browser(profile):
    webdriver, Service, *_ = selenium()
    for path in (CHROMIUM, CHROMEDRIVER):
        check(shutil.which(path), f"{path} is missing (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    return driver


def link_in(msg):
    m = re.search(r"(http://\S+/urac/join\?token=([0-9a-f-]{36}))\n", msg.get_content())
    check(m is not None, f"no set-password link in {msg.get_content()!r}")
    return m.group(1), m.group(2)


def fill_and_submit(driver, password, confirmation):
    _, _, By, WebDriverWait, _ = selenium()
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "confirmation").send_keys(confirmation)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda _: replaced(old))


def replaced(element):
    """True once element's page has been replaced. ec.staleness_of is not enough: while the
    new page loads, Chromium may answer "Node with given id does not belong to the document"
    (a plain WebDriverException) instead of a stale element reference; both mean the same."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        if "does not belong to the document" in str(e):
            return True
        raise


def check_accessible_form(driver):
    _, _, By, *_ = selenium()
    eq(driver.title, "Choose your password", "title")
    eq(driver.find_element(By.TAG_NAME, "h1").text, "Choose your password", "heading")
    for field, label in (("password", "New password"),
                         ("confirmation", "Repeat the new password")):
        eq(driver.find_element(By.CSS_SELECTOR, f"label[for={field}]").text, label,
           f"label of {field}")
        eq(driver.find_element(By.ID, field).get_attribute("type"), "password", f"{field} type")
    eq(driver.find_element(By.TAG_NAME, "html").get_attribute("lang"), "en", "page language")
    eq(driver.find_elements(By.TAG_NAME, "script"), [], "no scripts")
    # the style sheet is applied: the Content-Security-Policy hash matches it
    eq(driver.find_element(By.CSS_SELECTOR, "button").value_of_css_property("background-color"),
       "rgba(11, 87, 208, 1)", "styled button")


def skedulo_task_done(env, t, task_id, timeout=60):
    """Waits until the background task has completed; returns its users entries."""
    end = time.time() + timeout
    while True:
        r = env.http("GET", f"{SKEDULO}/bulk/{task_id}",
                     headers={"Authorization": "Bearer " + t["skedulo"]["token"]})
        eq(r.status, 200, f"task status {r!r}")
        body = r.json()["result"]
        if body["task"]["completedAt"] is not None:
            return body["users"]
        check(time.time() < end, f"task {task_id} did not complete: {body['task']}")
        time.sleep(0.1)


def add_users(env, t, u):
    """One invited user per dialect (two for Skedulo); returns [(label, email, name on the
    page, mail kind)]."""
    users = []
    email = f"browser.soajs.{u}@example.com"
    r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                      {"username": f"b_{u}", "firstName": "Brönte", "lastName": "Sister",
                       "email": email}, {"key": t["soajs"]["key"]})
    eq(r.status, 200, f"SOAJS addUser {r!r}")
    users.append(("SOAJS addUser", email, "Brönte", "set_password"))

    email = f"browser.xtracta.{u}@example.com"
    r = env.post_form("/v1/user/add", {"api_key": t["xtracta"]["api_key"], "name": "Xavier",
                                       "email_address": email})
    eq(r.status, 200, f"Xtracta user add {r!r}")
    users.append(("Xtracta", email, "Xavier", "set_password"))

    auth = {"Authorization": "Bearer " + t["skedulo"]["token"]}
    email = f"browser.skedulo.{u}@example.com"
    r = env.post_json(SKEDULO, [{"email": email, "firstName": "Sky", "lastName": "Do",
                                 "roles": ["Scheduler"]}], auth)
    eq((r.status, r.json()["result"]["inserted"]), (200, 1), f"Skedulo POST /users {r!r}")
    users.append(("Skedulo", email, "Sky", "invitation"))

    email = f"browser.skbulk.{u}@example.com"
    r = env.post_json(SKEDULO + "/bulk", [{"email": email, "firstName": "Tasko",
                                           "lastName": "Bulk"}], auth)
    eq(r.status, 200, f"Skedulo POST /users/bulk {r!r}")
    done = skedulo_task_done(env, t, r.json()["result"]["taskId"])
    eq([(x["email"], x["success"]) for x in done], [(email, True)], "the task created the user")
    users.append(("Skedulo bulk task", email, "Tasko", "invitation"))

    email = f"browser.sp.{u}@example.com"
    r = env.http("POST", "/seiapi/v3/bulk/Users",
                 json.dumps({"Users": [{"UserID": f"sp-{u}", "CUD": 1, "FirstName": "Sven",
                                        "LastName": "Tech", "Email": email}]}),
                 jwt(t), "application/json")
    eq((r.status, r.json()["detail"]["params"]["inserted"]), (200, "1"),
       f"ServicePower bulk {r!r}")
    users.append(("ServicePower", email, "Sven", "set_password"))
    return users


def test_mailed_links_activate_accounts_in_chromium(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    u = uniq()
    users = add_users(env, t, u)
    emails = [email for _, email, _, _ in users]
    for label, email, _, _ in users:
        eq(env.sql_one(f"SELECT status FROM users WHERE email = {quote(email)}"),
           ["pendingNew"], f"{label}: pendingNew until the password is set")

    eq(deliver_json(env, command(box), "--tenant", t["id"]),
       {"sent": len(users), "retried": 0, "dead": 0}, "delivered")
    mails = {}
    for raw, _ in raw_messages(box):
        m = parse(raw)
        mails.setdefault(m["To"].addresses[0].addr_spec, []).append(m)
    eq(sorted((k, len(v)) for k, v in mails.items()), sorted((e, 1) for e in emails),
       "exactly one mail per user, and no other")

    _, _, By, *_ = selenium()
    profile = tempfile.mkdtemp(prefix="chromium-", dir=env.var)
    driver = start_browser(profile)
    try:
        for n, (label, email, name, kind) in enumerate(users):
            eq(env.sql(f"SELECT m.kind FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                       f"WHERE u.email = {quote(email)}"), [[kind]], f"{label}: the mail's kind")
            eq(mails[email][0]["Subject"], SUBJECTS[kind], f"{label}: subject")
            link, token = link_in(mails[email][0])
            check(link.startswith(env.base_url + "/urac/join?token="), f"link {link}")
            driver.get(link)
            check_accessible_form(driver)
            main = driver.find_element(By.TAG_NAME, "main").text
            check(email in main and f"Hello {name}," in main,
                  f"{label}: the page names the account: {main!r}")
            password = f"Browser pass {u} ü{n}"
            if n == 0:
                # a typo in the confirmation: the page says so and asks again
                fill_and_submit(driver, password, password + "!")
                eq(driver.find_element(By.CSS_SELECTOR, "[role=alert]").text,
                   "The two passwords do not match. Type the same password twice.", "mismatch")
                check_accessible_form(driver)
                eq(env.sql_one(f"SELECT status FROM users WHERE email = {quote(email)}"),
                   ["pendingNew"], "still pending after the mismatch")
            fill_and_submit(driver, password, password)
            eq(driver.title, "Your password is set", f"{label}: success title")
            eq(driver.find_element(By.CSS_SELECTOR, "[role=status]").text,
               f"The account {email} is now active. You can sign in with your new password.",
               f"{label}: success text")
            rows = env.sql(
                f"SELECT u.status, u.password_hash, k.used_at IS NOT NULL FROM users u "
                f"JOIN user_tokens k ON k.user_id = u.id WHERE u.email = {quote(email)} "
                f"AND k.purpose = 'set_password'")
            eq([(row[0], row[2]) for row in rows], [("active", "1")],
               f"{label}: active, its one token spent")
            h = rows[0][1]
            check(h.startswith("$y$"), f"{label}: yescrypt hash")
            eq(crypt.crypt(password, h), h, f"{label}: the new hash verifies the password")
            # the link works once
            driver.get(link)
            eq(driver.title, "This link has already been used", f"{label}: spent link")
        # the 400 (mismatch) and 410 (spent) answers are logged as network errors on
        # purpose; anything else (a CSP violation, a script error) is a failure
        problems = [e for e in driver.get_log("browser")
                    if e.get("level") in ("SEVERE", "WARNING") and
                    not (e.get("source") == "network" and
                         re.search(r"status of (400 \(Bad Request\)|410 \(Gone\))$",
                                   e.get("message", "")))]
        eq(problems, [], "browser console (CSP violations, errors)")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
