#!/usr/bin/env python3
"""Opens ovation's report.html files in headless Chromium and fails on any console error, any
uncaught exception, any image that does not load, and any network request other than the
report file itself and data: URIs.

Usage: report_browser_check.py [--screenshot OUT.png] [--width 1366] REPORT.html...

It drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: NUL-separated
JSON on file descriptors 3 and 4), so it needs only the Python standard library. Chromium is
also started with every host name unresolvable and a dead proxy, so a request that slipped
through could not reach the network either. With --screenshot, a full-page screenshot of the
first report is written (at the given width, a laptop screen by default) for a person to look
at. Exit status: 0 when every report is clean, 1 otherwise (each problem is printed), 2 when
Chromium cannot be run.
"""

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_S = 60.0


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe."""

    def __init__(self, exe, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # The child expects to read commands on fd 3 and to write replies on fd 4.
        # (Through fresh copies: the pipe may itself be fds 3 and 4, and dup2 onto the same
        # number would keep the close-on-exec flag.)
        def setup():
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=127.0.0.1:9",
                "--allow-file-access-from-files",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Not pass_fds: subprocess would close fds 3 and 4 after `setup` made them.
            close_fds=False,
            preexec_fn=setup,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read_one(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self.from_child], [], [], left)
            if ready:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            msg = self.read_one(deadline)
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, deadline):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            msg = self.read_one(deadline)
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        try:
            while True:
                msg = self.read_one(deadline)
                if "method" in msg:
                    self.events.append(msg)
        except TimeoutError:
            pass

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def check(browser, report, width, screenshot):
    """Loads one report; returns a list of problems."""
    problems = []
    url = report.resolve().as_uri()
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call(
        "Target.attachToTarget", {"targetId": target, "flatten": True}
    )["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable", {}, session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        session,
    )
    browser.events.clear()
    browser.call("Page.navigate", {"url": url}, session)
    browser.wait_event("Page.loadEventFired", time.monotonic() + TIMEOUT_S)
    browser.drain(1.0)
    for e in browser.events:
        if e.get("sessionId") != session:
            continue
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console {p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            problems.append(f"uncaught exception: {p['exceptionDetails'].get('text')}")
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append(f"console error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if not (u == url or u.startswith("data:")):
                problems.append(f"network request: {u}")
        elif m == "Network.loadingFailed":
            problems.append(f"failed to load: {p.get('errorText')} (request {p.get('requestId')})")
    facts = browser.call(
        "Runtime.evaluate",
        {
            "expression": "JSON.stringify({"
            "headline: (document.querySelector('.headline') || {}).innerText || '',"
            "images: document.images.length,"
            "loaded: Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length,"
            "scripts: document.scripts.length,"
            "links: Array.from(document.querySelectorAll('link[href]')).length,"
            "height: document.documentElement.scrollHeight})",
            "returnByValue": True,
        },
        session,
    )["result"]["value"]
    facts = json.loads(facts)
    if not facts["headline"]:
        problems.append("no headline (.headline) on the page")
    if facts["loaded"] != facts["images"]:
        problems.append(f"{facts['images'] - facts['loaded']} of {facts['images']} images did not load")
    if facts["scripts"] or facts["links"]:
        problems.append(f"{facts['scripts']} scripts and {facts['links']} linked resources (expected none)")
    print(
        f"{report}: headline {facts['headline'][:100]!r}; {facts['loaded']}/{facts['images']} "
        f"plots shown; page {facts['height']} px tall at {width} px wide"
    )
    if screenshot:
        height = min(int(facts["height"]), 16000)
        shot = browser.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            session,
        )
        Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        print(f"screenshot: {screenshot}")
    browser.call("Target.closeTarget", {"targetId": target})
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reports", nargs="+", type=Path)
    ap.add_argument("--screenshot", help="write a full-page PNG of the first report here")
    ap.add_argument("--width", type=int, default=1366)
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM"))
    args = ap.parse_args()
    exe = args.chromium or next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
        None,
    )
    if not exe:
        print("report_browser_check: chromium not found (install Debian's `chromium`)", file=sys.stderr)
        return 2
    failed = False
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(exe, profile)
        try:
            for i, report in enumerate(args.reports):
                if not report.is_file():
                    print(f"{report}: no such file", file=sys.stderr)
                    failed = True
                    continue
                problems = check(browser, report, args.width, args.screenshot if i == 0 else None)
                for p in problems:
                    print(f"{report}: {p}", file=sys.stderr)
                failed |= bool(problems)
        except (TimeoutError, RuntimeError) as e:
            print(f"report_browser_check: {e}", file=sys.stderr)
            return 2
        finally:
            browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
