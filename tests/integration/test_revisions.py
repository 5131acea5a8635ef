"""Article revisions: every write keeps one (who, what changed, the article as served), editors list, read and restore them, deletion keeps them, REVISIONS_KEEP bounds them."""
import pytest

from harness import TOKEN_1, TOKEN_2, art, check, request, send
from articles_helpers import MERGE, create, expect_problem, get_etag, get_json

ITEM_KEYS = {"version", "made_at", "actor", "action", "restored_from", "changed"}


def revisions(ident, token=TOKEN_1, srv=None):
    """Every revision of article ident, newest first, followed page by page (two at a time)."""
    items, cursor = [], None
    for _ in range(200):
        path = "/v1/articles/%d/revisions?limit=2" % ident + ("&cursor=" + cursor if cursor else "")
        r = send(srv, "GET", path, token=token, encoded=True) if srv else request("GET", path, token=token, encoded=True)
        if r.status != 200:
            raise AssertionError("GET %s: %s" % (path, r.brief()))
        items.extend(r.json["data"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("more than 200 pages of revisions")


def revision(ident, version, token=TOKEN_1):
    r = request("GET", "/v1/articles/%d/revisions/%d" % (ident, version), token=token)
    if r.status != 200:
        raise AssertionError("GET revision %d of %d: %s" % (version, ident, r.brief()))
    return r.json


def editor_get(ident):
    return get_json("/v1/articles/%d" % ident, token=TOKEN_1)


def test_every_write_keeps_a_revision(khabar):
    a = create(art("مقال أول للمراجعات", tags=["موسكو"], sources=["تاس"])).json
    other = create(art("مقال آخر يقرأ أيضا")).json
    aid = a["id"]
    r = request("PUT", "/v1/articles/%d" % aid, token=TOKEN_2,
                body={"title": "عنوان جديد للمراجعات", "body": "نص المقال للاختبار.", "tags": ["موسكو"],
                      "sources": ["تاس"]})
    check(r.status == 200, "PUT the article", r.brief())
    r = request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"summary": "ملخص قصير"})
    check(r.status == 200, "PATCH the article", r.brief())
    r = request("PUT", "/v1/articles/%d/related/%d" % (aid, other["id"]), token=TOKEN_1)
    check(r.status == 204, "link an article", r.brief())
    r = request("PUT", "/v1/articles/%d/related/%d" % (aid, other["id"]), token=TOKEN_1)
    check(r.status == 204, "link it again (nothing changes)", r.brief())
    revs = revisions(aid)
    current = editor_get(aid)
    check([v["version"] for v in revs] == [4, 3, 2, 1] and current["version"] == 4,
          "four writes, four revisions newest first, numbered as the article's versions "
          "(the idempotent link adds none)", [v["version"] for v in revs])
    check(all(set(v) == ITEM_KEYS for v in revs), "list items are %s" % sorted(ITEM_KEYS), revs[:1])
    check([v["action"] for v in revs] == ["updated", "updated", "updated", "created"],
          "actions: created, then updated", [v["action"] for v in revs])
    check([v["actor"] for v in revs] == ["env-1", "env-1", "env-2", "env-1"],
          "the actor is the token's name: env-2 for the second of API_TOKENS", [v["actor"] for v in revs])
    by = {v["version"]: v["changed"] for v in revs}
    check(by.get(2) == ["title"], "PUT with a new title: changed is [title] (the slug stays)", by.get(2))
    check(by.get(3) == ["summary"], "PATCH of the summary: changed is [summary]", by.get(3))
    check(by.get(4) == ["related"], "a new link: changed is [related]", by.get(4))
    check({"title", "body", "tags", "sources", "id", "slug"} <= set(by.get(1) or []) and
          "version" not in by.get(1, []), "a creation: every field changed (version aside)", by.get(1))
    one = revision(aid, 4)
    check(one.get("article") == current, "the newest revision holds the article as an editor's GET answers it",
          (one.get("article"), current))
    first = revision(aid, 1)
    check(first["article"]["title"] == "مقال أول للمراجعات" and first["article"]["version"] == 1
          and first["version"] == 1 and first["actor"] == "env-1",
          "revision 1 holds the article as created", first)


def test_revisions_are_for_token_holders_only(khabar):
    aid = create(art("مقال مراجعاته للمحررين فقط")).json["id"]
    for path in ("/v1/articles/%d/revisions" % aid, "/v1/articles/%d/revisions/1" % aid):
        expect_problem(request("GET", path), 401, "GET %s without a token" % path, "/problems/unauthorized")
        expect_problem(request("GET", path, token="not-a-token"), 401, "GET %s with a bad token" % path,
                       "/problems/unauthorized")
        r = request("GET", path, token=TOKEN_2)
        check(r.status == 200 and r.header("cache-control") == "private, no-store",
              "GET %s with a token: 200, private, no-store" % path, r.brief())
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % aid)
    expect_problem(r, 401, "restore without a token", "/problems/unauthorized")
    check(len(revisions(aid)) == 1, "the refused restore wrote nothing", "")


def test_answer_cache_never_keeps_revisions(khabar, start_server):
    """A server with the answer cache: an editor's revision answers are never replayed, to anyone."""
    srv = start_server(CACHE_BYTES=1 << 20)
    aid = create(art("مقال لاختبار ذاكرة المراجعات")).json["id"]
    path = "/v1/articles/%d/revisions" % aid
    for _ in range(3):
        send(srv, "GET", path, token=TOKEN_1)
        send(srv, "GET", path + "/1", token=TOKEN_1)
    for p in (path, path + "/1"):
        r = send(srv, "GET", p)
        expect_problem(r, 401, "GET %s without a token after editors read it" % p, "/problems/unauthorized")
    r = request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"title": "عنوان بعد التخزين"})
    check(r.status == 200, "PATCH the article", r.brief())
    r = send(srv, "GET", path, token=TOKEN_1)
    check(r.status == 200 and [v["version"] for v in r.json["data"]] == [2, 1],
          "the list read again shows the new revision at once", r.brief())


def test_unknown_article_or_version(khabar):
    aid = create(art("مقال لنسخ غير موجودة")).json["id"]
    for path in ("/v1/articles/%d/revisions/2" % aid, "/v1/articles/%d/revisions/99999999999" % aid,
                 "/v1/articles/999999999/revisions/1", "/v1/articles/999999999/revisions"):
        expect_problem(request("GET", path, token=TOKEN_1), 404, "GET %s" % path, "/problems/not-found")
    for path in ("/v1/articles/%d/revisions/0" % aid, "/v1/articles/%d/revisions/x" % aid,
                 "/v1/articles/x/revisions"):
        expect_problem(request("GET", path, token=TOKEN_1), 400, "GET %s" % path, "/problems/invalid-parameter")
    etag = get_etag(aid)
    r = request("POST", "/v1/articles/%d/revisions/7/restore" % aid, token=TOKEN_1)
    expect_problem(r, 404, "restore of a version that does not exist", "/problems/not-found")
    check(get_etag(aid) == etag and len(revisions(aid)) == 1, "the article and its revisions are as they were", "")
    other = create(art("مقال آخر لمؤشر الصفحات")).json["id"]
    cursor = request("GET", "/v1/articles/%d/revisions?limit=1" % aid, token=TOKEN_1).json.get("next_cursor")
    check(cursor is None, "one revision: no next page", cursor)
    request("PATCH", "/v1/articles/%d" % other, token=TOKEN_1, headers=MERGE, body={"summary": "ملخص"})
    cursor = request("GET", "/v1/articles/%d/revisions?limit=1" % other, token=TOKEN_1).json.get("next_cursor")
    r = request("GET", "/v1/articles/%d/revisions?limit=1&cursor=%s" % (aid, cursor), token=TOKEN_1, encoded=True)
    expect_problem(r, 400, "a cursor of another article's revisions", "/problems/invalid-parameter")
    r = request("GET", "/v1/articles/%d/revisions?tag=x" % aid, token=TOKEN_1)
    expect_problem(r, 400, "a query parameter the list does not take", "/problems/invalid-parameter")


def test_restore_makes_a_new_version_with_the_old_content(khabar):
    old = {"title": "العنوان الأول", "body": "النص **الأول**", "summary": "الملخص الأول", "tags": ["موسكو"],
           "sources": ["تاس"], "status": "draft"}
    a = create(old).json
    aid, slug = a["id"], a["slug"]
    r = request("PUT", "/v1/articles/%d" % aid, token=TOKEN_1,
                body={"title": "العنوان الثاني", "body": "النص الثاني", "tags": ["الكرملين"], "status": "published",
                      "published_at": "2024-05-20T09:00:00Z"})
    check(r.status == 200, "PUT new content and publish", r.brief())
    before = editor_get(aid)
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % aid, token=TOKEN_2)
    check(r.status == 200 and r.header("cache-control") == "no-store" and r.header("etag"),
          "restore -> 200 with the article and its ETag, no-store, as PUT answers", r.brief())
    now = r.json
    check(now.get("version") == 3, "the restore is a new version (3)", now.get("version"))
    check((now.get("title"), now.get("body"), now.get("summary"), [t["name"] for t in now.get("tags", [])]) ==
          (old["title"], old["body"], old["summary"], old["tags"]),
          "the old content is back: title, body, summary, tags", now)
    check(now.get("slug") == slug and now.get("status") == "published"
          and now.get("published_at") == before["published_at"],
          "the slug and the publication state stay as they were (a restore never unpublishes)", now)
    check(get_json("/v1/articles/%d" % aid) == now, "the public GET shows the restored article", "")
    revs = revisions(aid)
    check(revs[0]["version"] == 3 and revs[0]["action"] == "restored" and revs[0]["restored_from"] == 1
          and revs[0]["actor"] == "env-2", "its revision: restored from 1 by env-2", revs[0])
    check(set(revs[0]["changed"]) == {"title", "body", "body_html", "summary", "tags", "sources"},
          "changed names what the restore brought back", revs[0]["changed"])


def test_restore_if_match(khabar):
    aid = create(art("مقال للاستعادة المشروطة")).json["id"]
    r = request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"title": "عنوان ثان"})
    check(r.status == 200, "PATCH", r.brief())
    stale = r.header("etag")
    r = request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"title": "عنوان ثالث"})
    etag = r.header("etag")
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % aid, token=TOKEN_1, headers={"If-Match": stale})
    expect_problem(r, 412, "restore with a stale If-Match", "/problems/precondition-failed")
    check(get_etag(aid) == etag and len(revisions(aid)) == 3, "nothing changed: no article write, no revision", "")
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % aid, token=TOKEN_1, headers={"If-Match": etag})
    check(r.status == 200 and r.json.get("title") == "مقال للاستعادة المشروطة" and r.json.get("version") == 4,
          "restore with the current ETag -> 200", r.brief())


def test_deletion_keeps_the_revisions(khabar):
    a = create(art("مقال سيحذف وتبقى مراجعاته")).json
    linker = create(art("مقال يشير إلى المحذوف", related=[a["id"]])).json
    aid = a["id"]
    request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"summary": "ملخص"})
    r = request("DELETE", "/v1/articles/%d" % aid, token=TOKEN_2)
    check(r.status == 204, "DELETE the article", r.brief())
    revs = revisions(aid)
    check([(v["version"], v["action"]) for v in revs] == [(3, "deleted"), (2, "updated"), (1, "created")]
          and revs[0]["actor"] == "env-2" and revs[0]["changed"] == [],
          "the revisions stay, the deletion is one more (by env-2)", revs)
    r = request("GET", "/v1/articles/%d/revisions/3" % aid, token=TOKEN_1)
    check(r.status == 200 and r.json.get("article") is None, "the deletion's revision holds no article", r.brief())
    check(revision(aid, 2)["article"]["summary"] == "ملخص", "the last state before deletion is readable", "")
    r = request("POST", "/v1/articles/%d/revisions/2/restore" % aid, token=TOKEN_1)
    expect_problem(r, 409, "restore of a deleted article's revision", "/problems/article-deleted")
    r = request("POST", "/v1/articles/%d/revisions/3/restore" % aid, token=TOKEN_1)
    expect_problem(r, 409, "restore of the deletion's revision", "/problems/article-deleted")
    check(request("GET", "/v1/articles/%d" % aid, token=TOKEN_1).status == 404, "the article stays deleted", "")
    lrevs = revisions(linker["id"])
    check([(v["version"], v["changed"], v["actor"]) for v in lrevs][:1] == [(2, ["related"], "env-2")],
          "the article whose read-also list lost it keeps a revision too", lrevs)


def revision_rows(h):
    return int(h.psql("SELECT count(*) FROM article_revisions").strip())


def test_failed_writes_add_no_revision(khabar):
    aid = create(art("مقال لكتابات مرفوضة")).json["id"]
    taken = create(art("مقال يحمل الاسم")).json["slug"]
    rows = revision_rows(khabar)
    bad = [
        ("PUT", {"title": "", "body": "نص"}, None, 422),
        ("PATCH", {"title": 5}, MERGE, 422),
        ("PATCH", {"related": [999999999]}, MERGE, 422),
        ("PUT", {"title": "عنوان", "body": "نص", "slug": taken}, None, 409),
        ("PUT", {"title": "عنوان", "body": "نص"}, {"If-Match": '"stale"'}, 412),
    ]
    for method, body, headers, status in bad:
        r = request(method, "/v1/articles/%d" % aid, token=TOKEN_1, body=body, headers=headers)
        check(r.status == status, "%s %s -> %d" % (method, body, status), r.brief())
    r = request("POST", "/v1/articles", token=TOKEN_1, body={"title": "بلا نص"})
    check(r.status == 422, "a refused create", r.brief())
    r = request("POST", "/v1/articles", token=TOKEN_1, body={"title": "عنوان", "body": "نص", "slug": taken})
    check(r.status == 409, "a create refused after its row was tried (slug taken)", r.brief())
    r = request("DELETE", "/v1/articles/%d/related/%d" % (aid, aid + 1000000), token=TOKEN_1)
    check(r.status == 404, "removing a link that is not there", r.brief())
    check(len(revisions(aid)) == 1, "the article still has its one revision", revisions(aid))
    check(revision_rows(khabar) == rows, "no refused write left a revision anywhere", (rows, revision_rows(khabar)))


@pytest.mark.parametrize("keep", [3])
def test_retention_prunes_the_oldest(khabar, start_server, keep):
    srv = start_server(REVISIONS_KEEP=keep)
    r = send(srv, "POST", "/v1/articles", token=TOKEN_1, body=art("مقال بعدد محدود من المراجعات"))
    aid = r.json["id"]
    for i in range(5):
        r = send(srv, "PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"summary": "ملخص %d" % i})
        check(r.status == 200, "PATCH %d" % i, r.brief())
    revs = revisions(aid, srv=srv)
    check([v["version"] for v in revs] == [6, 5, 4], "REVISIONS_KEEP=%d: the newest %d kept" % (keep, keep),
          [v["version"] for v in revs])
    r = send(srv, "GET", "/v1/articles/%d/revisions/1" % aid, token=TOKEN_1)
    expect_problem(r, 404, "a pruned revision", "/problems/not-found")
    r = send(srv, "POST", "/v1/articles/%d/revisions/4/restore" % aid, token=TOKEN_1)
    check(r.status == 200 and r.json.get("summary") == "ملخص 2", "a kept revision restores", r.brief())
    check([v["version"] for v in revisions(aid, srv=srv)] == [7, 6, 5], "the restore pruned one more", "")


def test_concurrent_writes_get_distinct_versions(khabar):
    import threading
    aid = create(art("مقال لكتابات متزامنة")).json["id"]
    results = []

    def patch(i):
        r = request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"summary": "ملخص %d" % i})
        results.append(r.status)

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = results.count(200)
    revs = revisions(aid)
    check(len(revs) == ok + 1 and [v["version"] for v in revs] == list(range(ok + 1, 0, -1)),
          "each of the %d writes that succeeded has its own version" % ok, ([v["version"] for v in revs], results))
    summaries = [revision(aid, v["version"])["article"]["summary"] for v in revs[:-1]]
    check(len(set(summaries)) == ok, "each revision holds its own write", summaries)


def test_revisions_list_pages(khabar):
    """The revisions list pages like every list: limit, next_cursor and Link rel=next."""
    aid = create(art("مقال بصفحات من المراجعات")).json["id"]
    for i in range(4):
        request("PATCH", "/v1/articles/%d" % aid, token=TOKEN_1, headers=MERGE, body={"summary": "م %d" % i})
    r = request("GET", "/v1/articles/%d/revisions?limit=2" % aid, token=TOKEN_1)
    check(r.status == 200 and [v["version"] for v in r.json["data"]] == [5, 4] and r.json.get("next_cursor")
          and 'rel="next"' in r.header("link"), "the first page of 2, with a next cursor and Link", r.brief())
    items = revisions(aid)
    check([v["version"] for v in items] == [5, 4, 3, 2, 1], "every revision once, newest first", items)
