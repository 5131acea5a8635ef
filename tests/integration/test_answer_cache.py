"""The answer cache never gives one URL another URL's answer: crafted URLs (separator bytes,
repeated and valueless parameters, NULs) asked of a khabar with the cache give what the same
URLs give on a khabar without it, over one database."""
import urllib.parse

import pytest

import harness
from harness import art, check, create

TAG = "موسكو"
SOURCE = "تاس"


def enc(s):
    return urllib.parse.quote(s, safe="")


@pytest.fixture(scope="module")
def servers(khabar, module_server):
    """(cached, uncached): the default server (answer cache on) and one with CACHE_BYTES=0, named
    by the same public address, so that their absolute links are the same."""
    srv = khabar.server
    for i in range(7):
        create(srv, art("خبر من موسكو رقم %d" % i, tags=[TAG], sources=[SOURCE],
                        published_at="2024-05-%02dT10:00:00Z" % (i + 1)))
    for i in range(5):
        create(srv, art("خبر آخر رقم %d" % i, tags=["كييف"], published_at="2024-06-%02dT10:00:00Z" % (i + 1)))
    return srv, module_server("no-cache", CACHE_BYTES="0", PUBLIC_API_URL=harness.api_url())


def crafted_urls():
    """Pairs of URLs that a key joining names and values with separator bytes, or a key made
    of whatever the client sent, would confuse; each list is asked in order."""
    t, s = enc(TAG), enc(SOURCE)
    sets = []
    seps = ("%1E", "%1F", "%1D", "%00")
    for between in seps:  # what might stand between two arguments, and between a name and its value
        for within in seps:
            sets.append(["/v1/articles?tag=%s%slimit%s5" % (t, between, within), "/v1/articles?tag=%s&limit=5" % t])
            sets.append(["/v1/articles?limit=5%stag%s%s" % (between, within, t), "/v1/articles?limit=5&tag=%s" % t])
            sets.append(["/v1/articles?source=%s%slimit%s2" % (s, between, within),
                         "/v1/articles?source=%s&limit=2" % s])
            sets.append(["/v1/tags?q=%s%slimit%s1" % (enc("مو"), between, within), "/v1/tags?q=%s&limit=1" % enc("مو")])
        sets.append(["/v1/articles?tag=%s%s" % (t, between), "/v1/articles?tag=%s" % t, "/v1/articles"])
        sets.append(["/v1/articles?tag=%s" % between, "/v1/articles?tag", "/v1/articles"])
    sets.append(["/v1/articles?tag=%s&tag=%s" % (enc("كييف"), t), "/v1/articles?tag=%s" % t,
                 "/v1/articles?tag=%s" % enc("كييف")])
    sets.append(["/v1/articles?limit=2&limit=5", "/v1/articles?limit=5", "/v1/articles?limit=2"])
    sets.append(["/v1/articles?tag", "/v1/articles?tag=", "/v1/articles"])
    sets.append(["/v1/articles?&tag=%s&" % t, "/v1/articles?tag=%s" % t, "/v1/articles?limit=20"])
    sets.append(["/v1/articles?limit=3&tag=%s" % t, "/v1/articles?tag=%s&limit=3" % t])
    # pages with a next page: the Link header must be the asking URL's own
    sets.append(["/v1/articles?limit=2&tag=%s&tag=%s" % (t, enc("كييف")), "/v1/articles?limit=2&tag=%s" % t])
    sets.append(["/v1/articles?&limit=2&&", "/v1/articles?limit=2"])
    sets.append(["/v1/articles?limit=2&limit=3", "/v1/articles?limit=2"])
    sets.append(["/v1/articles/%s%s" % (enc("خبر-من-موسكو-رقم-1"), "%1Flimit%1E5"),
                 "/v1/articles/%s" % enc("خبر-من-موسكو-رقم-1")])
    return sets


def answer(srv, path):
    """What a client can tell of an answer: status, body and the headers that describe it."""
    r = srv.request("GET", path, encoded=True)
    return r.status, r.body, r.header("Link"), r.header("ETag"), r.header("Content-Type")


def test_crafted_urls_get_their_own_answers(servers):
    cached, uncached = servers
    asked = 0
    for urls in crafted_urls():
        for path in urls + urls:  # twice: the second round is answered from the cache
            got, want = answer(cached, path), answer(uncached, path)
            asked += 1
            check(got == want, "%s: the cached server answers as the one without a cache" % path,
                  "cached: %s %r %r\nuncached: %s %r %r" % (got[0], got[1][:200], got[2:], want[0], want[1][:200],
                                                        want[2:]))
    check(asked > 300, "many crafted URLs were asked", asked)


def test_the_comparison_sees_a_difference(servers):
    """The check above can fail: two different lists differ."""
    cached, _ = servers
    a = answer(cached, "/v1/articles?tag=%s&limit=5" % enc(TAG))
    b = answer(cached, "/v1/articles?limit=5")
    check(a[0] == b[0] == 200 and a[1] != b[1], "a tag's list is not the whole list", "%r %r" % (a, b))


def test_ignored_arguments_make_no_entries(servers):
    """A stray '&' or a repeated parameter does not fill the cache with entries of its own."""
    cached, _ = servers
    path = "/v1/articles?tag=%s" % enc("كييف")
    answer(cached, path)
    before = harness.metric_value(cached, "khabar_cache_entries")
    for extra in ("&", "&&", "&tag=%s" % enc("كييف"), "&&&"):
        check(answer(cached, path + extra)[0] == 200, "%s%s answers 200" % (path, extra))
    after = harness.metric_value(cached, "khabar_cache_entries")
    check(before >= 0 and after == before, "no new cache entries for ignored arguments",
          "entries before %r, after %r" % (before, after))


def test_a_write_drops_only_what_it_changes(khabar):
    """A write through a server drops from its cache the answers that show what it changed
    (the article, every list), not every answer: the others are still served from the
    cache, and the writer reads its write back at once."""
    srv = khabar.start_server(name="write-drops")
    check(harness.wait_until(lambda: harness.metric_value(srv, "khabar_cache_enabled") == 1, 5),
          "the cache is on", "")
    kept = create(srv, art("مقال يبقى في الذاكرة"))["id"]
    written = create(srv, art("مقال يكتب"))["id"]
    for aid in (kept, written):
        srv.request("GET", "/v1/articles/%d" % aid)
    srv.request("GET", "/v1/articles?limit=3")
    r = srv.request("PATCH", "/v1/articles/%d" % written, body={"title": "مقال كتب"}, token=harness.TOKEN_1)
    check(r.status == 200, "PATCH -> 200", r.brief())
    hits = harness.metric_value(srv, "khabar_cache_hits_total")
    other = srv.request("GET", "/v1/articles/%d" % kept)
    check(other.status == 200 and harness.metric_value(srv, "khabar_cache_hits_total") == hits + 1,
          "the article the write did not touch is still answered from the cache",
          (hits, harness.metric_value(srv, "khabar_cache_hits_total")))
    back = srv.request("GET", "/v1/articles/%d" % written)
    check(back.status == 200 and back.json.get("title") == "مقال كتب", "the writer reads its write back at once",
          back.brief(200))
    listed = srv.request("GET", "/v1/articles?limit=3")
    check(any(x.get("title") == "مقال كتب" for x in listed.json.get("data", [])),
          "and a list cached before the write shows it", listed.brief(300))
    status, _ = srv.stop(15)
    check(status == 0, "the server exits 0", srv.log_tail(10))
