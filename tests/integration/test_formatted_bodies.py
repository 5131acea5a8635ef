"""Formatted bodies: CommonMark source rendered into body_html safe for a page (known cross-site-scripting payloads), plain text for search, plain-text bodies migrated."""
import html.parser
import re

import harness
from harness import check, request
from articles_helpers import create, expect_problem, get_article
from search_helpers import items_of, search, title_no

# What cmark's HTML may hold once unsafe parts are taken out: these elements, these attributes.
ALLOWED = {
    "p": set(), "em": set(), "strong": set(), "a": {"href", "title"}, "img": {"src", "alt", "title"},
    "ul": set(), "ol": {"start"}, "li": set(), "blockquote": set(), "pre": set(), "code": {"class"},
    "h1": set(), "h2": set(), "h3": set(), "h4": set(), "h5": set(), "h6": set(), "hr": set(), "br": set(),
}
SAFE_SCHEMES = {"http", "https", "mailto"}

# Known payloads (the OWASP filter-evasion cheat sheet and others), as CommonMark a writer could send.
XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<<script>script>alert(1)<</script>/script>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<!-- --><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](java&#9;script:alert(1))",
    "[x](java&#10;script:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](java\\script:alert(1))",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <javascript:alert(1)> \"t\"",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x\" onerror=\"alert(1)](https://example.com/a.png)",
    "[x](https://example.com/ \"t\\\" onmouseover=\\\"alert(1)\")",
    "[x](<https://example.com/\" onmouseover=\"alert(1)>)",
    "[x](https://example.com/'onmouseover='alert(1))",
    "[![i](javascript:alert(1))](javascript:alert(2))",
    "```\"><script>alert(1)</script>\nx\n```",
    "``` onclick=alert(1)\nx\n```",
    "`<script>alert(1)</script>`",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\<script>alert(1)\\</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"XSS\")`>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<template><img src=x onerror=alert(1)></template>",
]


class Inspector(html.parser.HTMLParser):
    """Every element, attribute and other markup of a piece of HTML, and what is not allowed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.faults = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.faults.append("element <%s>" % tag)
            return
        for name, value in attrs:
            if name not in ALLOWED[tag] or name.startswith("on"):
                self.faults.append("attribute %s on <%s>" % (name, tag))
            elif name in ("href", "src") and not url_is_safe(value or ""):
                self.faults.append("%s=%r" % (name, value))
            elif name == "class" and not re.fullmatch(r"language-[^\s<>\"']*", value or ""):
                self.faults.append("class=%r" % value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag not in ALLOWED:
            self.faults.append("end of <%s>" % tag)

    def handle_comment(self, data):
        self.faults.append("comment %r" % data)

    def handle_decl(self, decl):
        self.faults.append("declaration %r" % decl)

    def unknown_decl(self, data):
        self.faults.append("declaration %r" % data)

    def handle_pi(self, data):
        self.faults.append("processing instruction %r" % data)


def url_is_safe(url):
    """A browser's reading: control characters and spaces dropped, then the scheme, if any, must be safe."""
    url = re.sub(r"[\x00-\x20\x7f]", "", url).lstrip("`'\"")
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return m is None or m.group(1).lower() in SAFE_SCHEMES


def html_faults(text):
    p = Inspector()
    p.feed(text)
    p.close()
    return p.faults


def body_html_of(body):
    a = create(harness.art(title_no("مقال منسق"), body)).json
    return get_article(a["id"])


def test_formatting_rendered(khabar):
    """Paragraphs, emphasis, links, lists, headings, quotes and images come out as HTML; the source stays."""
    source = ("فقرة أولى فيها **تأكيد** و*ميل*.\n\nفقرة ثانية مع [رابط](https://example.com/a?b=1&c=2).\n\n"
              "- بند\n- بند آخر\n\n## عنوان فرعي\n\n> اقتباس\n\n![صورة الوزير](https://example.com/w.jpg)")
    a = body_html_of(source)
    check(a.get("body") == source, "body is the CommonMark source as sent", a.get("body"))
    want = ("<p>فقرة أولى فيها <strong>تأكيد</strong> و<em>ميل</em>.</p>\n"
            "<p>فقرة ثانية مع <a href=\"https://example.com/a?b=1&amp;c=2\">رابط</a>.</p>\n"
            "<ul>\n<li>بند</li>\n<li>بند آخر</li>\n</ul>\n<h2>عنوان فرعي</h2>\n"
            "<blockquote>\n<p>اقتباس</p>\n</blockquote>\n"
            "<p><img src=\"https://example.com/w.jpg\" alt=\"صورة الوزير\" /></p>\n")
    check(a.get("body_html") == want, "body_html is the source rendered", a.get("body_html"))
    lst = request("GET", "/v1/articles?limit=5").json["data"]
    check(all("body" not in i and "body_html" not in i for i in lst), "lists carry neither body nor body_html",
          [sorted(i) for i in lst])


def test_xss_payloads_made_safe(khabar):
    """Each known payload, alone, inside a sentence and inside a list item: nothing unsafe in body_html."""
    bad = []
    for payload in XSS:
        for source in (payload, "قبل %s بعد" % payload, "- بند\n- %s" % payload):
            a = body_html_of(source)
            faults = html_faults(a.get("body_html") or "")
            if a.get("body") != source or faults or "<script" in (a.get("body_html") or "").lower():
                bad.append((source, a.get("body_html"), faults))
    check(not bad, "%d payloads in 3 settings each: body_html holds only allowed elements, attributes and "
          "safe URLs" % len(XSS), bad[:5])
    every = "\n\n".join(XSS)
    faults = html_faults(body_html_of(every).get("body_html") or "")
    check(not faults, "all the payloads in one body: nothing unsafe", faults[:10])


def test_inspector_sees_unsafe_html(khabar):
    """The checks above can fail: raw payload HTML, handed to the inspector, is found unsafe."""
    missed = [p for p in XSS if p.startswith("<") and not p.startswith("<javascript")
              and not p.startswith("<vbscript") and not html_faults(p)]
    check(not missed, "every raw-HTML payload is unsafe to the inspector", missed)


def test_search_reads_the_text(khabar):
    """Search and snippets read the text a reader sees, not the markup or the link targets."""
    marker = "زنبقيات"
    a = create(harness.art(title_no("مقال بروابط"),
                           "هذا **%s** مع [نص الرابط](https://example.com/qwzxv) و`شيفرة`" % marker)).json
    r = search(marker)
    item = next((i for i in items_of(r, marker) if i["id"] == a["id"]), None)
    check(item is not None, "a word in bold is found", r.brief())
    snippet = (item or {}).get("snippet") or ""
    check("**" not in snippet and "](" not in snippet and "example.com" not in snippet and "الرابط" in snippet,
          "the snippet is the text, without markup or link targets", snippet)
    check(a["id"] not in [i["id"] for i in items_of(search("qwzxv"), "qwzxv")],
          "a link's target is not searchable text", "")


def test_body_html_is_read_only(khabar):
    r = request("POST", "/v1/articles", body=harness.art(title_no(), "نص", body_html="<p>x</p>"),
                token=harness.TOKEN_1)
    expect_problem(r, 422, "body_html in a POST", field="body_html")


# ---- bodies stored before bodies were CommonMark ----

PLAIN_BODIES = [
    "سطر أول.\nسطر ثان فيه * نجمة و_شرطة_ و<b>وسم</b> & علامة \"اقتباس\".\n\n   سطر مزاح بمسافات   \n",
    "# ليس عنوانا\n- ليس بندا\n1. ليس رقما\n> ليس اقتباسا\n    ليس شيفرة\n---\n[ليس](رابطا) ![ولا](صورة)\n"
    "`ولا شيفرة` \\ شرطة مائلة \\\n&amp; كيان\t جدولة",
]


def test_plain_bodies_migrated(khabar):
    """A database at the migration before CommonMark, holding plain-text bodies: migrated, each line is a
    paragraph reading as before, and the stored HTML is what khabar renders from the new source."""
    name = "khabar_plain_bodies"
    url = harness.database_before_migration(khabar, name, "0006")
    for i, body in enumerate(PLAIN_BODIES):
        harness.psql(url, "INSERT INTO articles (slug, slug_key, title, body, lang, search)"
                          " VALUES ('old-%d', 'old-%d', 'قديم %d', $b$%s$b$, 'ar', ''::tsvector)" % (i, i, i, body))
    r = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(r.returncode == 0, "khabar migrate converts the plain bodies", r.stderr[-800:])
    srv = khabar.start_server(extra={"DATABASE_URL": url}, name="plain-bodies")
    try:
        for i, body in enumerate(PLAIN_BODIES):
            old = srv.request("GET", "/v1/articles/old-%d" % i).json
            lines = [ln.strip(" \t\r") for ln in body.split("\n") if ln.strip(" \t\r")]
            text = harness.psql(url, "SELECT body_text FROM articles WHERE slug = 'old-%d'" % i)
            check(text == "\n".join(lines), "body_text is the old text, a line a paragraph", (text, lines))
            check(old["body_html"].count("<p>") == len(lines) and html_faults(old["body_html"]) == [] and
                  "<h1>" not in old["body_html"] and "<li>" not in old["body_html"] and "<a " not in old["body_html"],
                  "each old line is one paragraph of text, nothing else", old["body_html"])
            put = srv.request("PATCH", "/v1/articles/%d" % old["id"], body={"body": old["body"]},
                              headers={"Content-Type": "application/merge-patch+json"}, token=harness.TOKEN_1)
            check(put.status == 200 and put.json.get("body_html") == old["body_html"],
                  "khabar renders the migrated source to the HTML the migration stored",
                  (put.brief(300), old["body_html"]))
            again = harness.psql(url, "SELECT body_text FROM articles WHERE slug = 'old-%d'" % i)
            check(again == text, "and to the same text", (again, text))
    finally:
        srv.stop()
        harness.psql(khabar.pg.url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
