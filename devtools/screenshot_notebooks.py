"""Prove that the analyst notebooks and report.html draw every chart offline.

    .venv/bin/python scripts/screenshot_notebooks.py            # demo data in a temp dir
    .venv/bin/python scripts/screenshot_notebooks.py --export-dir data/exports
    .venv/bin/python devtools/screenshot_notebooks.py --report demo=/tmp/demo/exports \
        large=/tmp/large/exports      # report.html only: first screen and whole page

Steps:
1. KPI tables: the published `kpi.duckdb` of --export-dir; without one, the demo data set is
   generated and run through the pipeline into a temporary directory (about a minute).
2. Every notebook of notebooks/ (jupytext percent `.py`) is executed with nbclient into the output
   directory (default data/screenshots/, gitignored): the repository's notebooks are never
   written. report.html is rendered there too.
3. JupyterLab starts headless on 127.0.0.1 with throw-away config, data, settings and workspace
   directories; the executed notebooks are opened in headless Chromium (Debian package
   `chromium`) driven over the Chrome DevTools protocol. Chromium is cut off from the internet:
   every host but localhost resolves to nothing and a dead proxy takes any other request, and
   every request to a non-local address is recorded.
4. Per notebook and for report.html: a full-length PNG, the number of chart outputs in the
   notebook file against the number of charts actually drawn in the page (a vega view's
   <canvas>/<svg> or an image output), and the blocked external requests. Exit 1 when a chart
   is not drawn.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    # offline: nothing but localhost resolves, and anything else goes to a dead proxy
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=localhost;127.0.0.1",
]
LAB_APP_SETTINGS = ROOT / "jupyter" / "lab" / "settings"  # overrides.json: .py opens as notebook
LAB_SETTINGS = {  # written into a throw-away JUPYTERLAB_SETTINGS_DIR
    # every cell in the DOM, so the whole notebook can be measured and photographed
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no news or update checks from the internet
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}
# Charts drawn in the page: a vega view (JupyterLab's vega renderer or vega-embed) or an image
DRAWN_JS = """(() => {
  const all = [...document.querySelectorAll(
      '.jp-RenderedVegaCommon5, .vega-embed, .jp-RenderedImage, .jp-RenderedSVG, figure.chart')];
  const views = all.filter(v => !all.some(o => o !== v && o.contains(v)));  // outermost only
  const drawn = views.filter(v => {
    const el = v.querySelector('canvas, svg, img');
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 50 && r.height > 50 && (el.tagName !== 'IMG' || el.naturalWidth > 0);
  });
  const errors = [...document.querySelectorAll('.jp-OutputArea-output')]
      .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
                   || /Traceback|Error:/.test(o.textContent.slice(0, 300))).length;
  return JSON.stringify({views: views.length, drawn: drawn.length, errors,
    outputs: document.querySelectorAll('.jp-OutputArea-output').length,
    cells: document.querySelectorAll('.jp-Notebook .jp-Cell').length});
})()"""


@dataclass
class Shot:
    name: str
    png: Path
    expected: int
    views: int = 0
    drawn: int = 0
    cells: int = 0
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.expected > 0 and self.drawn >= self.expected


# --------------------------------------------------------------------------------------------
# Chrome DevTools protocol, over websocket-client (a dependency of jupyter_server)


class Browser:
    def __init__(self, executable: str, user_data_dir: Path, width: int = 1400):
        import websocket

        self.width = width
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}",
             "--remote-debugging-port=0", f"--window-size={width},1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = user_data_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{executable} did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result.get("result", {}).get("value")

    def drain(self) -> list[dict]:
        self.call("Runtime.evaluate", expression="1")  # flush pending events
        events, self.events = self.events, []
        return events

    def navigate(self, url: str) -> None:
        self.drain()
        self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=1000,
                  deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=url)

    def screenshot(self, path: Path, height: int, tile_height: int = 0) -> None:
        """A PNG of the whole page (the viewport stretched to `height`); with tile_height,
        also <name>-1.png, <name>-2.png, ... of that height each, easier to read."""
        height = max(600, min(int(height), 20000))
        self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=height,
                  deviceScaleFactor=1, mobile=False)
        time.sleep(1.5)  # let the layout and the vega views settle at the new size
        self.evaluate("document.querySelectorAll('.jp-WindowedPanel-outer')"
                      ".forEach(e => { e.scrollTop = 0; })")  # a notebook from its top
        time.sleep(0.5)
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        for old in path.parent.glob(f"{path.stem}-*.png"):
            old.unlink()
        for i, top in enumerate(range(0, height, tile_height) if tile_height else []):
            clip = {"x": 0, "y": top, "width": self.width,
                    "height": min(tile_height, height - top), "scale": 1}
            tile = self.call("Page.captureScreenshot", format="png", clip=clip,
                             captureBeyondViewport=True)
            path.with_name(f"{path.stem}-{i + 1}.png").write_bytes(base64.b64decode(tile["data"]))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            _stop(self.proc)


def external_requests(events: list[dict]) -> tuple[list[str], list[str]]:
    """(requests to non-local addresses, console errors) among the events of one page."""
    blocked, errors = [], []
    for e in events:
        if e.get("method") == "Network.requestWillBeSent":
            url = e["params"]["request"]["url"]
            if url.startswith(("http:", "https:", "ws:", "wss:")) and not any(
                    h in url.split("/")[2] for h in ("127.0.0.1", "localhost")):
                blocked.append(url)
        elif e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error":
            text = e["params"]["entry"].get("text", "")
            if "beforeunload" not in text:  # leaving a notebook that was run and not saved
                errors.append(text[:200])
        elif e.get("method") == "Runtime.exceptionThrown":
            errors.append(e["params"]["exceptionDetails"].get("text", "")[:200])
    return sorted(set(blocked)), errors


# --------------------------------------------------------------------------------------------
# JupyterLab, headless, with throw-away configuration


@contextmanager
def jupyterlab(root_dir: Path, scratch: Path, export_dir: Path | None = None):
    """JupyterLab on 127.0.0.1 serving root_dir, with throw-away config, data, settings and
    workspaces; kernels it starts read PMO_EXPORT_DIR = export_dir."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    if export_dir is not None:
        env["PMO_EXPORT_DIR"] = str(export_dir)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(scratch / name.lower())
        Path(env[name]).mkdir(parents=True, exist_ok=True)
    for file, settings in LAB_SETTINGS.items():
        target = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    log = (scratch / "jupyterlab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
         "--ServerApp.open_browser=False", "--LabApp.news_url=None",
         "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
         f"--LabApp.app_settings_dir={LAB_APP_SETTINGS}",  # the settings `make lab` ships
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=root_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    log.flush()
                    tail = (scratch / "jupyterlab.log").read_text()[-3000:]
                    raise RuntimeError(f"JupyterLab did not start:\n{tail}")
                time.sleep(0.3)
        yield base, token
    finally:
        _stop(proc)
        log.close()


def photograph_notebook(browser: Browser, base: str, token: str, notebook: Path,
                        out: Path, expected: int, timeout: float = 90,
                        tile_height: int = 0) -> Shot:
    shot = Shot(notebook.stem, out / f"{notebook.stem}.png", expected)
    browser.navigate(f"{base}/lab/workspaces/shot-{secrets.token_hex(4)}/tree/"
                     f"{notebook.name}?reset&token={token}")
    deadline, last, stable_since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:  # until every chart is drawn, or nothing changes for 10 s
        time.sleep(1)
        state = json.loads(browser.evaluate(DRAWN_JS) or "{}")
        if state != last:
            last, stable_since = state, time.monotonic()
        if state.get("cells") and state.get("drawn", 0) >= expected and \
                time.monotonic() - stable_since > 2:
            break
        if state.get("cells") and time.monotonic() - stable_since > 10:
            break
    return capture(browser, shot, tile_height)



def capture(browser, shot, tile_height: int):
    """Screenshot the whole notebook and record what was drawn and what was requested."""
    height = browser.evaluate(
        "Math.max(...[...document.querySelectorAll('.jp-WindowedPanel-outer, .jp-Notebook')]"
        ".map(e => e.scrollHeight), 0)") or 1000
    browser.screenshot(shot.png, height + 120, tile_height)
    state = json.loads(browser.evaluate(DRAWN_JS) or "{}")
    shot.views, shot.drawn, shot.cells = state.get("views", 0), state.get("drawn", 0), \
        state.get("cells", 0)
    shot.blocked, shot.console_errors = external_requests(browser.drain())
    return shot


RUN_ALL_JS = """(async () => {
  const app = window.jupyterapp;
  await app.restored;
  // no factory: the default viewer of a .py, as a double-click in the file browser opens it
  const widget = await app.commands.execute('docmanager:open', {path: %s});
  if (!widget.content || !widget.content.widgets) throw new Error('opened as text');
  await widget.context.ready;
  await widget.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
  return 'running';
})()"""
LIVE_STATE_JS = """(() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  return JSON.stringify({code: cells.length,
                         done: prompts.filter(p => /\\[\\d+\\]/.test(p)).length,
                         busy: prompts.filter(p => p.includes('*')).length});
})()"""


def photograph_live(browser: Browser, base: str, token: str, source: Path, out: Path,
                    expected: int, timeout: float = 240, tile_height: int = 0) -> Shot:
    """Open a committed notebook (the jupytext .py) in JupyterLab, run every cell in the kernel
    JupyterLab starts, as an analyst would, and photograph it once all charts are drawn."""
    shot = Shot(f"{source.stem}-live", out / f"{source.stem}-live.png", expected)
    browser.navigate(f"{base}/lab/workspaces/live-{secrets.token_hex(4)}?reset&token={token}")
    deadline = time.monotonic() + 60
    while not browser.evaluate("!!(window.jupyterapp && "
                               "document.querySelector('#jp-main-dock-panel'))"):
        if time.monotonic() > deadline:
            raise RuntimeError("JupyterLab did not load in Chromium")
        time.sleep(0.5)
    browser.evaluate(RUN_ALL_JS % json.dumps(source.as_posix()))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(2)
        run = json.loads(browser.evaluate(LIVE_STATE_JS) or "{}")
        drawn = json.loads(browser.evaluate(DRAWN_JS) or "{}").get("drawn", 0)
        if run.get("code") and run.get("done") == run.get("code") and not run.get("busy") \
                and drawn >= expected:
            break
    return capture(browser, shot, tile_height)


def photograph_page(browser: Browser, path: Path, out: Path, expected: int,
                    tile_height: int = 0, first_screen: bool = False) -> Shot:
    """A full-length PNG of a page; with first_screen, also <name>-first.png: the 1000 pixels
    a reader sees before scrolling."""
    shot = Shot(path.stem, out / f"{path.stem}.png", expected)
    browser.navigate(path.resolve().as_uri())
    time.sleep(3)
    height = browser.evaluate("document.documentElement.scrollHeight") or 1000
    browser.screenshot(shot.png, height, tile_height)
    if first_screen:
        browser.call("Emulation.setDeviceMetricsOverride", width=browser.width, height=1000,
                     deviceScaleFactor=1, mobile=False)
        time.sleep(0.5)
        first = browser.call("Page.captureScreenshot", format="png")
        (out / f"{path.stem}-first.png").write_bytes(base64.b64decode(first["data"]))
    state = json.loads(browser.evaluate(DRAWN_JS) or "{}")
    shot.views, shot.drawn = state.get("views", 0), state.get("drawn", 0)
    shot.blocked, shot.console_errors = external_requests(browser.drain())
    return shot


# --------------------------------------------------------------------------------------------
# Executing the notebooks


def chart_outputs(notebook_path: Path) -> int:
    """Chart outputs saved in an executed notebook (vega, vega-lite, image or chart html)."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(m.startswith(("application/vnd.vega", "image/")) for m in data):
                count += 1
    return count


def build_demo_exports(work: Path, as_of: str = "2026-11-20", history_days: int = 56) -> Path:
    """Generate the demo data set, run the pipeline into `work` as of the demo's last day and
    backfill the history of the weeks before (for the trends); returns the export dir."""
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster_home"),
           "GX_ANALYTICS_ENABLED": "false"}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    pmo = [sys.executable, "-m", "pipelines.cli"]
    print("generating the demo data set and running the pipeline (about a minute) ...")
    subprocess.run([*pmo, "generate", "--scale", "demo", "--seed", "1", "--out",
                    str(work / "raw")], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([*pmo, "run", "--raw-dir", str(work / "raw"), "--warehouse",
                    str(work / "warehouse.duckdb"), "--export-dir", str(work / "exports"),
                    "--as-of", as_of], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    first = date.fromisoformat(as_of) - timedelta(days=history_days)
    subprocess.run([*pmo, "backfill", "--from", first.isoformat(), "--to", as_of,
                    "--warehouse", str(work / "warehouse.duckdb")], check=True, cwd=ROOT,
                   env={**env, "PMO_RAW_DIR": str(work / "raw"),
                        "PMO_EXPORT_DIR": str(work / "exports")}, stdout=subprocess.DEVNULL)
    return work / "exports"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this script started, and its children (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def photograph_reports(pairs: list[str], out: Path, chromium: str, tile_height: int) -> int:
    """Render and photograph report.html of each NAME=EXPORT_DIR."""
    from pipelines.analysis.report import render_report

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory(prefix="pmo-shots-") as scratch:
        browser = Browser(chromium, Path(scratch) / "chromium-profile")
        try:
            for pair in pairs:
                name, _, export_dir = pair.rpartition("=")
                started = time.monotonic()
                page = out / f"report-{name or 'report'}.html"
                page.write_text(render_report(Path(export_dir) / "kpi.duckdb"), encoding="utf-8")
                print(f"rendered {page} ({page.stat().st_size / 1024:.0f} KB) in "
                      f"{time.monotonic() - started:.1f} s")
                shots.append(photograph_page(browser, page, out, page.read_text().count("<svg"),
                                             tile_height, first_screen=True))
        finally:
            browser.close()
    for s in shots:
        print(f"{s.name:24} charts {s.expected} drawn {s.drawn} external requests "
              f"{len(s.blocked)} console errors {len(s.console_errors)}  {s.png}")
        for error in s.console_errors[:3]:
            print(f"{'':24} console: {error}")
    return 0 if all(s.ok and not s.blocked and not s.console_errors for s in shots) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export-dir", type=Path,
                        help="published exports with kpi.duckdb (default: $PMO_EXPORT_DIR, "
                             "else data/exports when it exists, else the demo data in a temp dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "screenshots")
    parser.add_argument("--notebooks", nargs="*", help="names to run (default: all)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--tile-height", type=int, default=0,
                        help="also write <name>-1.png, <name>-2.png, ... of this height")
    parser.add_argument("--live", action="store_true",
                        help="also open each committed notebook (.py) in JupyterLab, run all "
                             "its cells in the browser's kernel and photograph <name>-live.png")
    parser.add_argument("--report", nargs="+", metavar="NAME=EXPORT_DIR",
                        help="only render report.html of these export dirs and photograph "
                             "them (report-NAME.png, report-NAME-first.png); no JupyterLab")
    args = parser.parse_args(argv)
    if args.report:
        return photograph_reports(args.report, args.out.resolve(), args.chromium,
                                  args.tile_height)

    from devtools.notebooks import execute_notebook, notebook_sources
    from pipelines.analysis.report import render_report

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pmo-shots-")))
        export_dir = args.export_dir or (Path(os.environ["PMO_EXPORT_DIR"])
                                         if os.environ.get("PMO_EXPORT_DIR") else None)
        if export_dir is None and (ROOT / "data" / "exports" / "kpi.duckdb").exists():
            export_dir = ROOT / "data" / "exports"
        if export_dir is None:
            export_dir = build_demo_exports(scratch / "demo")
        export_dir = export_dir.resolve()
        print(f"KPI tables: {export_dir / 'kpi.duckdb'}")

        sources = [p for p in notebook_sources()
                   if not args.notebooks or p.stem in args.notebooks]
        executed = []
        for source in sources:
            started = time.monotonic()
            target = out / f"{source.stem}.ipynb"
            execute_notebook(source, target, export_dir=export_dir)
            executed.append(target)
            print(f"executed {source.name} in {time.monotonic() - started:.0f} s -> {target}")
        report = out / "report.html"
        report.write_text(render_report(export_dir / "kpi.duckdb"), encoding="utf-8")
        print(f"rendered {report} ({report.stat().st_size / 1024:.0f} KB)")

        # JupyterLab serves copies: it adds checkpoints next to what it opens
        lab_root = scratch / "lab"
        lab_root.mkdir()
        for nb in executed:
            shutil.copy(nb, lab_root / nb.name)
        if args.live:  # the committed sources, run by JupyterLab's own kernel
            live_root = lab_root / "live"
            live_root.mkdir()
            for source in sources:
                shutil.copy(source, live_root / source.name)
        base, token = stack.enter_context(jupyterlab(lab_root, scratch, export_dir))
        browser = Browser(args.chromium, scratch / "chromium-profile")
        stack.callback(browser.close)
        shots = [photograph_notebook(browser, base, token, lab_root / nb.name, out,
                                     chart_outputs(nb), tile_height=args.tile_height)
                 for nb in executed]
        if args.live:
            shots += [photograph_live(browser, base, token, Path("live") / nb.with_suffix(
                ".py").name, out, chart_outputs(nb), tile_height=args.tile_height)
                for nb in executed]
        shots.append(photograph_page(browser, report, out, report.read_text().count("<svg"),
                                     tile_height=args.tile_height))

    print(f"\n{'page':24} {'charts':>6} {'drawn':>6}  external requests  console errors  "
          f"screenshot")
    for s in shots:
        mark = "ok " if s.ok else "NOT DRAWN"
        print(f"{s.name:24} {s.expected:6} {s.drawn:6}  {len(s.blocked):17}  "
              f"{len(s.console_errors):14}  {s.png}  {mark}")
        for url in s.blocked[:5]:
            print(f"{'':33}blocked: {url}")
        for error in s.console_errors[:3]:
            print(f"{'':33}console: {error}")
    failed = [s.name for s in shots if not s.ok]
    if failed:
        print(f"\ncharts not drawn in: {', '.join(failed)}")
        return 1
    print("\nevery chart drawn, offline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
