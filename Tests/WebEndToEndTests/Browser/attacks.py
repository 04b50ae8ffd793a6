#!/usr/bin/env python3
"""Drive attacks on credmon-web's login in headless Chromium (selenium + chromedriver), as another site would.

Usage: attacks.py --base URL --alice-key HEX --mallory-key HEX --evil-host 127.0.0.2 --out DIR

In one browser (Alice's):
  1. Alice opens her own key URL.
  2. cross-site: pages served from another site (http://<evil-host>:<port>, a different site from <base>) navigate
     to <base>/login/issuer, auto-submit a Login form to it, and navigate to Mallory's key URL; each must end on
     credmon-web's refusal page.
  3. mallory: Mallory's key URL opened directly (as if pasted from Mallory's message); the page must name Mallory
     before anything leaves it; records the time just before pressing the Login button and when the provider's
     login form appeared (the test compares them with the provider's request log).
  4. wrong-return: Alice starts the "issuer" login, the authorization request is changed to send the answer to
     <base>/return/other; after signing in and allowing, the browser lands there and must see a refusal.
Saves a screenshot of every page in DIR. Prints one JSON object: {"ok": bool, "steps": [...], "screenshots": [...]}.
Exit status 0 when every step saw what it should, 1 otherwise, 2 when the browser cannot start.
"""

import argparse
import http.server
import json
import sys
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_run import BrowserRun

CROSS_SITE = "sent by another web site"


def attacker_pages(base, mallory_key):
    """The pages of the other site, by path."""
    target = f"{base}/login/issuer"
    return {
        "/navigate-login.html": f"<!DOCTYPE html><title>win a prize</title><script>location.href = {json.dumps(target)};</script>",
        "/post-login.html": (
            "<!DOCTYPE html><title>win a prize</title>"
            f"<form id=f method=post action={json.dumps(target)}>"
            "<input type=hidden name=csrf value=guessed><input type=hidden name=login value=guessed></form>"
            "<script>document.getElementById('f').submit();</script>"
        ),
        "/navigate-key.html": (
            "<!DOCTYPE html><title>win a prize</title>"
            f"<script>location.href = {json.dumps(f'{base}/key/{mallory_key}')};</script>"
        ),
    }


def serve(host, pages):
    """Serves `pages` on host:<free port> in a thread; returns the server."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def with_redirect(url, redirect_uri):
    """`url` with its redirect_uri parameter replaced."""
    parts = urlparse(url)
    query = [(k, redirect_uri if k == "redirect_uri" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunparse(parts._replace(query=urlencode(query)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--alice-key", required=True)
    parser.add_argument("--mallory-key", required=True)
    parser.add_argument("--evil-host", default="127.0.0.2")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    evil = serve(args.evil_host, attacker_pages(args.base, args.mallory_key))
    evil_origin = f"http://{args.evil_host}:{evil.server_address[1]}"
    run = BrowserRun(args.out)
    if not run.start():
        evil.shutdown()
        return 2
    driver, shot, check = run.driver, run.shot, run.check

    try:
        wait = WebDriverWait(driver, 20)
        driver.get(f"{args.base}/key/{args.alice_key}")
        user = wait.until(EC.presence_of_element_located((By.ID, "local-user"))).text
        check(user == "alice", {"page": "alice-key", "user": user})
        shot("alice-key")

        # 2. Another site sends the browser to /login and /key.
        for page in ("navigate-login", "post-login", "navigate-key"):
            driver.get(f"{evil_origin}/{page}.html")
            wait.until(lambda d: d.current_url.startswith(args.base))
            problem = wait.until(EC.presence_of_element_located((By.ID, "problem"))).text
            check(CROSS_SITE in problem, {"page": f"cross-site {page}", "landed": urlparse(driver.current_url).path, "problem": problem})
            shot(f"cross-site-{page}")
        driver.get(f"{args.base}/")
        index = driver.find_element(By.TAG_NAME, "main").text
        check("mallory" not in index and "Log in to issuer for alice" in index, {"page": "index after cross-site", "text": index})

        # 3. Mallory's key URL in Alice's browser: the page names Mallory; nothing leaves it until the button.
        driver.get(f"{args.base}/key/{args.mallory_key}")
        user = wait.until(EC.presence_of_element_located((By.ID, "local-user"))).text
        main_text = driver.find_element(By.TAG_NAME, "main").text
        button = driver.find_element(By.ID, "login-issuer")
        shot("mallory-key")
        button_text = button.text
        still_here = urlparse(driver.current_url).path
        before_click = time.time()
        button.click()
        wait.until(EC.presence_of_element_located((By.ID, "username")))
        at_provider = time.time()
        shot("mallory-provider-login")
        check(user == "mallory" and "HTCondor user mallory" in main_text and button_text == "Log in to issuer for mallory"
              and still_here == f"/key/{args.mallory_key}",
              {"page": "mallory-key", "user": user, "text": main_text, "button": button_text,
               "before_click": before_click, "at_provider": at_provider})

        # 4. Alice's "issuer" login answered at /return/other.
        driver.get(f"{args.base}/key/{args.alice_key}")
        wait.until(EC.element_to_be_clickable((By.ID, "login-issuer"))).click()
        wait.until(EC.presence_of_element_located((By.ID, "username")))
        driver.get(with_redirect(driver.current_url, f"{args.base}/return/other"))
        wait.until(EC.presence_of_element_located((By.ID, "username"))).send_keys("alice")
        driver.find_element(By.ID, "password").send_keys("ecila")
        driver.find_element(By.ID, "sign-in").click()
        wait.until(EC.element_to_be_clickable((By.ID, "allow"))).click()
        wait.until(lambda d: d.current_url.startswith(args.base))
        problem = wait.until(EC.presence_of_element_located((By.ID, "problem"))).text
        landed = urlparse(driver.current_url).path
        shot("wrong-return")
        check(landed == "/return/other" and "return address of another service" in problem,
              {"page": "wrong-return", "landed": landed, "problem": problem})
    except Exception as error:  # noqa: BLE001 - the test prints the failure and the screenshots so far
        run.failed(error)
    evil.shutdown()
    return run.finish()

if __name__ == "__main__":
    sys.exit(main())
