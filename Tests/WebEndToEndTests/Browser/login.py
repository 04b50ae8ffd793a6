#!/usr/bin/env python3
"""Drive credmon-web's login in headless Chromium (selenium + chromedriver), as a user would.

Usage: login.py --base URL --key HEX --services a,b --user alice --out DIR

Opens <base>/key/<key> (which must name the HTCondor user), and for each service clicks its Login button (a form
POST), signs in at the authorization
server's real form (username / password = username reversed), allows access on the consent page and
waits to land back on <base>/. Saves a screenshot of every page in DIR. Then opens a forged return URL to
capture the state-mismatch page. Prints one JSON object: {"ok": bool, "steps": [...], "screenshots": [...]}.
Exit status 0 when every service shows logged in, 1 otherwise, 2 when the browser cannot start.
"""

import argparse
import sys
from urllib.parse import urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_run import BrowserRun


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--services", required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    run = BrowserRun(args.out)
    if not run.start():
        return 2
    driver, shot = run.driver, run.shot

    try:
        wait = WebDriverWait(driver, 20)
        base_path = urlparse(args.base).path.rstrip("/")
        driver.get(f"{args.base}/key/{args.key}")
        shot("services")
        user = wait.until(EC.presence_of_element_located((By.ID, "local-user"))).text
        run.check(user == args.user, {"page": "key", "title": driver.title, "user": user})
        for service in args.services.split(","):
            wait.until(EC.element_to_be_clickable((By.ID, f"login-{service}"))).click()
            wait.until(EC.presence_of_element_located((By.ID, "username")))
            shot(f"{service}-provider-login")
            driver.find_element(By.ID, "username").send_keys(args.user)
            driver.find_element(By.ID, "password").send_keys(args.user[::-1])
            driver.find_element(By.ID, "sign-in").click()
            wait.until(EC.element_to_be_clickable((By.ID, "allow")))
            shot(f"{service}-provider-consent")
            driver.find_element(By.ID, "allow").click()
            wait.until(EC.presence_of_element_located((By.ID, f"state-{service}")))
            landed = urlparse(driver.current_url)
            run.check(landed.path.rstrip("/") == base_path,
                      {"service": service, "landed": landed.path, "state": driver.find_element(By.ID, f"state-{service}").text})
            shot(f"{service}-logged-in")
        status = driver.find_element(By.ID, "status").text
        states = [driver.find_element(By.ID, f"state-{service}").text for service in args.services.split(",")]
        run.check(all("Logged in" in state for state in states) and "logged in to all service providers" in status,
                  {"page": "index", "status": status})
        driver.get(f"{args.base}/return/{args.services.split(',')[0]}?code=forged&state=forged")
        run.steps.append({"page": "forged-return", "problem": driver.find_element(By.ID, "problem").text})
        shot("state-mismatch")
        driver.get(f"{args.base}/key/{'0' * 64}")
        run.steps.append({"page": "unknown-key", "problem": driver.find_element(By.ID, "problem").text})
        shot("unknown-key")
    except Exception as error:  # noqa: BLE001 - the test prints the failure and the screenshots so far
        run.failed(error)
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
