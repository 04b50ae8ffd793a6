"""What the browser scripts share: a headless Chromium, and one run's steps, screenshots and verdict."""

import json
import os
import shutil
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser():
    """Headless Chromium through chromedriver, as Debian installs them."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=412,915", "--no-first-run", "--no-default-browser-check"):
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


class BrowserRun:
    """One run: `steps` (what was seen), numbered screenshots in `out`, and whether every check passed."""

    def __init__(self, out):
        os.makedirs(out, exist_ok=True)
        self.out = out
        self.driver = None
        self.steps, self.shots = [], []
        self.ok = True

    def start(self):
        """Starts the browser; False (with the reason on stderr) when it cannot."""
        try:
            self.driver = browser()
            return True
        except Exception as error:  # noqa: BLE001 - report why the browser did not start
            print(f"cannot start chromium: {error}", file=sys.stderr)
            return False

    def shot(self, name):
        path = os.path.join(self.out, f"{len(self.shots) + 1:02d}-{name}.png")
        self.driver.save_screenshot(path)
        self.shots.append(path)

    def check(self, condition, step):
        """Records `step` with whether `condition` held."""
        step["passed"] = bool(condition)
        self.ok = self.ok and step["passed"]
        self.steps.append(step)

    def failed(self, error):
        """Records an exception that ended the run, with a last screenshot when one can be taken."""
        self.ok = False
        self.steps.append({"error": f"{type(error).__name__}: {error}", "url": self.driver.current_url})
        try:
            self.shot("failure")
        except Exception:  # noqa: BLE001
            pass

    def finish(self):
        """Closes the browser, prints the JSON result; returns the exit status (0 ok, 1 not)."""
        self.driver.quit()
        print(json.dumps({"ok": self.ok, "steps": self.steps, "screenshots": self.shots}))
        return 0 if self.ok else 1
