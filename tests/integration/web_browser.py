"""web_browser.py: a real headless Chromium for the frontend's tests, driven through browser/driver.mjs (playwright-core), and the data the pages show."""
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER_DIR = os.path.join(HERE, "browser")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.path.join(harness.REPO_ROOT, "build", "screenshots")


class BrowserError(Exception):
    pass


class Browser:
    """One Chromium; each call sends a command of driver.mjs and returns its value (raises
    BrowserError with the driver's message when it fails)."""

    def __init__(self):
        if not os.path.isdir(os.path.join(DRIVER_DIR, "node_modules")):
            raise BrowserError("%s/node_modules is missing: run scripts/install-deps.sh" % DRIVER_DIR)
        self.proc = subprocess.Popen(["node", os.path.join(DRIVER_DIR, "driver.mjs")], cwd=DRIVER_DIR,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=dict(os.environ, CHROMIUM=CHROMIUM))
        self._stderr = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.lock = threading.Lock()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    def call(self, cmd, **args):
        with self.lock:
            self.proc.stdin.write(json.dumps(dict(args, cmd=cmd)) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise BrowserError("the browser driver exited (status %r): %s"
                               % (self.proc.poll(), "".join(self._stderr[-20:])))
        answer = json.loads(line)
        if not answer["ok"]:
            raise BrowserError("%s: %s" % (cmd, answer["error"]))
        return answer["value"]

    def __getattr__(self, cmd):
        if cmd.startswith("_"):
            raise AttributeError(cmd)
        return lambda **args: self.call(cmd, **args)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()

    # ---- what the tests ask most ----

    def shown(self, url, selector="main h1", **open_args):
        """Opens url in a fresh context and waits until the page has shown its content."""
        self.open(**open_args)
        self.goto(url=url)
        self.wait_shown()
        return self.wait(selector=selector)

    def wait_shown(self, after=0, timeout=10000):
        """Waits until the page has shown its content after the show numbered after."""
        return self.wait_for(expression="Number(document.documentElement.dataset.shown || 0) > %d" % after,
                             timeout=timeout)

    def shows(self):
        return int(self.eval(expression="Number(document.documentElement.dataset.shown || 0)"))

    def text(self, selector):
        texts = self.texts(selector=selector)
        return texts[0] if texts else None

    def screenshot_page(self, name, full_page=True):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        return self.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=full_page)


class StaticSite:
    """The frontend's files served by a plain static server on another origin than the API,
    as a publisher would host them (the page told where the API is by its meta tag); an
    address that is no file gets the page, as nginx's try_files does. /img/lead.svg is the
    articles' lead image."""

    def __init__(self, api_origin):
        self.dir = tempfile.mkdtemp(prefix="khabar-web-")
        shutil.copytree(os.path.join(harness.REPO_ROOT, "web"), os.path.join(self.dir, "web"),
                        ignore=shutil.ignore_patterns("node_modules", "package*.json", "tsconfig.json"))
        page = open(os.path.join(self.dir, "web", "index.html"), encoding="utf-8").read()
        marker = '<meta name="khabar-api" content="">'
        if marker not in page:
            raise harness.HarnessError("web/index.html has no %s to point at the API" % marker)
        self.page = page.replace(marker, '<meta name="khabar-api" content="%s">' % api_origin).encode()
        os.makedirs(os.path.join(self.dir, "img"))
        with open(os.path.join(self.dir, "img", "lead.svg"), "wb") as f:
            f.write(LEAD_SVG)
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=site.dir, **kw)

            def log_message(self, *a):
                pass

            def send_head(self):
                path = self.translate_path(self.path)
                if os.path.isfile(path):
                    return super().send_head()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.page)))
                self.end_headers()
                import io
                return io.BytesIO(site.page)

        Handler.extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                                      **{".js": "text/javascript", ".woff2": "font/woff2", ".svg": "image/svg+xml"})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.origin = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_browser():
    try:
        return Browser()
    except (BrowserError, OSError) as e:
        raise harness.HarnessError("the browser: %s" % e)


# ---- the pages' data: what a small newsroom has published ----

AUTHOR = {"name": "سارة علي", "slug": "سارة-علي", "bio": "مراسلة الشؤون الدولية، تكتب من القاهرة."}
SECTION = {"name": "دوليات", "slug": "دوليات", "description": "أخبار العالم كما تصل."}
SECOND_SECTION = {"name": "اقتصاد", "slug": "اقتصاد"}
TAG = "الطاقة"
SOURCE = "وكالة الأنباء"
IMAGE = {"alt": "صورة توضيحية لمحطة طاقة", "caption": "محطة الطاقة الجديدة", "credit": "رويترز",
         "width": 1600, "height": 900}
LEAD_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900" viewBox="0 0 1600 900">'
            b'<rect width="1600" height="900" fill="#c9d6df"/><circle cx="800" cy="450" r="260" fill="#52616b"/>'
            b'<rect x="300" y="600" width="1000" height="80" fill="#1e2022"/></svg>')
LISTED = 45  # articles in the section and the tag: three pages of 20 and a bit


def publish_newsroom(h, srv, image_url):
    """The seed sample, an author, two sections and LISTED articles with a tag, a source, the
    author and the section (the newest with the lead image at image_url, a correction and a
    Latin source), through srv; returns {"lead": the newest article, "listed": their ids,
    newest first}."""
    r = h.run_cli(["import", os.path.join(harness.REPO_ROOT, "seed", "sample.ndjson")])
    if r.returncode != 0:
        raise harness.HarnessError("importing the seed: %s" % r.stderr)
    for path, body in (("/v1/authors", AUTHOR), ("/v1/sections", SECTION), ("/v1/sections", SECOND_SECTION)):
        r = harness.send(srv, "POST", path, body=body, token=harness.TOKEN_1)
        if r.status not in (201, 409):
            raise harness.HarnessError("POST %s: %s" % (path, r.brief()))
    ids = []
    for i in range(LISTED):
        fields = dict(summary="ملخص الخبر رقم %d عن أسعار الطاقة في المنطقة." % (i + 1),
                      tags=[TAG, "أسواق"], sources=[SOURCE], authors=[AUTHOR["slug"]], section=SECTION["slug"],
                      published_at="2026-01-%02dT%02d:00:00Z" % (1 + i // 2, 8 + i % 2))
        if i == LISTED - 1:
            fields.update(image=dict(IMAGE, url=image_url), corrections=[{"at": "2026-01-23T12:00:00Z", "text": "صُحح اسم الوزير"}],
                          sources=[SOURCE, "Reuters"])
        body = ("تقرير عن **الطاقة** والأسواق رقم %d.\n\nقال وزير الطاقة إن شركة BP Energy ستبني محطة جديدة "
                "بقدرة 500 ميغاواط في عام 2026.\n\n> الطاقة النظيفة مستقبل المنطقة." % (i + 1))
        created = harness.create(srv, harness.art("خبر الطاقة رقم %d: محطة جديدة" % (i + 1), body, **fields))
        ids.append(created["id"])
    lead = harness.get_article(srv, ids[-1])
    seeded = harness.list_all(srv, q="بوتين")
    r = harness.send(srv, "PUT", "/v1/articles/%d/related/%d" % (lead["id"], seeded[0]["id"]), token=harness.TOKEN_1)
    if r.status not in (200, 201, 204):
        raise harness.HarnessError("linking read-also: %s" % r.brief())
    return {"lead": harness.get_article(srv, lead["id"]), "listed": list(reversed(ids))}


class Site:
    """What the frontend's tests use: khabar (serving the frontend and its API, CORS open to
    the static site), the same frontend on another origin (static), the newsroom's data
    and a browser."""

    def __init__(self, h, servers):
        self.h = h
        self.servers = servers
        self.port = harness.free_port()
        self.origin = "http://127.0.0.1:%d" % self.port
        self.static = StaticSite(self.origin)
        self.api = self.start_api()
        self.data = publish_newsroom(h, self.api, self.static.origin + "/img/lead.svg")
        self.browser = start_browser()

    def start_api(self):
        """khabar on the site's port (again after stop_api)."""
        self.api = self.servers(name="web", PORT=self.port, CORS_ORIGINS=self.static.origin,
                                IMAGE_URL_SCHEMES="https,http")
        return self.api

    def stop_api(self):
        status, _ = self.api.stop(10.0)
        return status

    def url(self, path):
        return self.origin + path

    def close(self):
        self.browser.close()
        self.static.close()
