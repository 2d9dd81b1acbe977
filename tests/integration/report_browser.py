#!/usr/bin/python3
"""report_browser.py — opens an lrsweep report in headless Chromium and
checks it as a user's browser would show it.

    report_browser.py REPORT.html SCREENSHOT.png [--dark] [--expect-text TEXT]...

Loads the file with the network cut off (Chromium's proxy pointed at a
closed port, and every request the page makes logged through the
DevTools performance log), then fails (exit 1, one line per problem) on:
any console message of level SEVERE or WARNING, any request for anything
but the file itself, a page that did not finish drawing (no
data-rendered), window.pwned set (the hostile test's payloads set it),
or a TEXT not shown literally in the page's text.  --dark has the browser
prefer a dark colour scheme, and then the page's background must be dark.  Prints window.lrsweepCharts
as one JSON line, for the calling test to hold against the data, and saves
a full-page screenshot.  Needs chromium, chromium-driver and
python3-selenium (deploy/install-deps.sh --with-reference): a missing one
is an error, never a skip.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def start_driver(dark=False, host=None):
    """Headless Chromium with the network cut off (every request goes to a
    proxy at a closed port, loopback too unless host is given, e.g. for a
    page served on 127.0.0.1) and every request logged."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    bypass = "--proxy-bypass-list=" + (host if host else "<-loopback>")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--proxy-server=http://127.0.0.1:9",
              bypass, "--disable-extensions",
              "--disable-background-networking", "--no-first-run"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(60)
    if dark:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    return driver


def log_problems(driver, allowed):
    """Console messages of level SEVERE or WARNING, and requests for which
    allowed(url) is false, since the last call: one line each."""
    problems = []
    for entry in driver.get_log("browser"):
        if entry["level"] in ("SEVERE", "WARNING"):
            problems.append("console %s: %s" % (entry["level"], entry["message"]))
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            req = msg["params"]["request"]["url"]
            if not allowed(req) and not req.startswith("data:"):
                problems.append("request leaving the page's origin: " + req)
    return problems


def save_screenshot(driver, shot):
    """A full-page screenshot (up to 12,000 pixels high)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(900, height), 12000))
    driver.save_screenshot(shot)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    report, shot = os.path.abspath(args[0]), args[1]
    expect = [args[i + 1] for i in range(2, len(args) - 1) if args[i] == "--expect-text"]
    dark = "--dark" in args[2:]
    driver = start_driver(dark)
    problems = []
    try:
        url = "file://" + report
        driver.get(url)
        if dark:
            rgb = driver.execute_script(
                "return getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)")
            if sum(rgb[:3]) / 3 > 80:
                problems.append("dark scheme asked for, background is rgb%r" % (tuple(rgb[:3]),))
        rendered = driver.execute_script(
            "return document.documentElement.getAttribute('data-rendered')")
        if rendered != "yes":
            problems.append("the page did not finish drawing (no data-rendered)")
        if driver.execute_script("return window.pwned !== undefined"):
            problems.append("a payload ran: window.pwned = %r" % driver.execute_script(
                "return window.pwned"))
        problems += log_problems(driver, lambda req: req == url)
        text = driver.execute_script(
            "document.querySelectorAll('details').forEach(function (d) { d.open = true; });"
            "return document.body.innerText")
        for t in expect:
            if t not in text:
                problems.append("text not shown literally: %r" % t)
        print(json.dumps(driver.execute_script("return window.lrsweepCharts || null")))
        save_screenshot(driver, shot)
    finally:
        driver.quit()
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
