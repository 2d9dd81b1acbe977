#!/usr/bin/python3
"""serve_browser.py — opens `lrsweep serve`'s live page of a running sweep in
headless Chromium and watches it update.

    serve_browser.py URL SCREENSHOT.png SECONDS

Loads URL (http://127.0.0.1:PORT/sweeps/NAME) with the network cut off
(report_browser.py's driver), then reads every second for SECONDS: the
complete count the header shows, the points the history chart drew
(window.lrsweepCharts) and how often live.js refreshed the page
(data-live-updates).  Fails (exit 1, one line per problem) on: any console
message of level SEVERE or WARNING, any request not to the page's own
origin, a page that did not draw, a complete count that did not grow at
least twice, fewer than two refreshes, or a history chart that does not
hold the complete count shown beside it.  Prints the samples as one JSON
line and saves a full-page screenshot.
"""
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_browser import log_problems, save_screenshot, start_driver  # noqa: E402

READ = """
var c = document.querySelector('header .st-complete');
var h = window.lrsweepCharts && window.lrsweepCharts.history;
return {complete: c ? parseInt(c.textContent, 10) : null,
        history: h ? h.points[0] : null,
        updates: parseInt(document.documentElement.getAttribute('data-live-updates') || '0', 10),
        rendered: document.documentElement.getAttribute('data-rendered'),
        live: (document.getElementById('live') || {}).textContent || ''};
"""


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    url, shot, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    parts = urllib.parse.urlsplit(url)
    origin = "{0.scheme}://{0.netloc}/".format(parts)
    driver = start_driver(host=parts.hostname)
    problems, samples = [], []
    try:
        driver.get(url)
        end = time.time() + seconds
        while time.time() < end:
            samples.append(driver.execute_script(READ))
            time.sleep(1)
        time.sleep(0.5)
        samples.append(driver.execute_script(READ))
        problems += log_problems(driver, lambda req: req.startswith(origin))
        save_screenshot(driver, shot)
    finally:
        driver.quit()
    print(json.dumps(samples))
    last = samples[-1]
    if last["rendered"] != "yes":
        problems.append("the page did not finish drawing (no data-rendered)")
    counts = [s["complete"] for s in samples if s["complete"] is not None]
    grew = sum(1 for a, b in zip(counts, counts[1:]) if b > a)
    if grew < 2:
        problems.append("the complete count grew %d times (want 2 or more): %r" % (grew, counts))
    if last["updates"] < 2:
        problems.append("live.js refreshed the page %d times" % last["updates"])
    if not last["live"].startswith("Live: "):
        problems.append("no live line: %r" % last["live"])
    for s in samples:
        if s["complete"] is not None and s["history"] is not None and s["history"] != s["complete"]:
            problems.append("history draws %d points, the header says %d complete" %
                            (s["history"], s["complete"]))
            break
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
