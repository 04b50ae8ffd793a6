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
import json
import os
import shutil
import sys
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=412,915", "--no-first-run", "--no-default-browser-check"):
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--services", required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    try:
        driver = browser()
    except Exception as error:  # noqa: BLE001 - report why the browser did not start
        print(f"cannot start chromium: {error}", file=sys.stderr)
        return 2
    steps, shots = [], []
    ok = True

    def shot(name):
        path = os.path.join(args.out, f"{len(shots) + 1:02d}-{name}.png")
        driver.save_screenshot(path)
        shots.append(path)

    try:
        wait = WebDriverWait(driver, 20)
        base_path = urlparse(args.base).path.rstrip("/")
        driver.get(f"{args.base}/key/{args.key}")
        shot("services")
        user = wait.until(EC.presence_of_element_located((By.ID, "local-user"))).text
        steps.append({"page": "key", "title": driver.title, "user": user})
        if user != args.user:
            ok = False
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
            steps.append({"service": service, "landed": landed.path, "state": driver.find_element(By.ID, f"state-{service}").text})
            if landed.path.rstrip("/") != base_path:
                ok = False
            shot(f"{service}-logged-in")
        status = driver.find_element(By.ID, "status").text
        steps.append({"page": "index", "status": status})
        for service in args.services.split(","):
            if "Logged in" not in driver.find_element(By.ID, f"state-{service}").text:
                ok = False
        if "logged in to all service providers" not in status:
            ok = False
        driver.get(f"{args.base}/return/{args.services.split(',')[0]}?code=forged&state=forged")
        steps.append({"page": "forged-return", "problem": driver.find_element(By.ID, "problem").text})
        shot("state-mismatch")
        driver.get(f"{args.base}/key/{'0' * 64}")
        steps.append({"page": "unknown-key", "problem": driver.find_element(By.ID, "problem").text})
        shot("unknown-key")
    except Exception as error:  # noqa: BLE001 - the test prints the failure and the screenshots so far
        ok = False
        steps.append({"error": f"{type(error).__name__}: {error}", "url": driver.current_url})
        try:
            shot("failure")
        except Exception:  # noqa: BLE001
            pass
    finally:
        driver.quit()
    print(json.dumps({"ok": ok, "steps": steps, "screenshots": shots}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
