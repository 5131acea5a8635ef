"""Related ("read also") links: listing, adding and removing them, and related given when an article is written."""
import pytest

from harness import TOKEN_1, art, check, raw, request
from articles_helpers import count_articles, create, expect_no_body, expect_problem, get_article, get_etag, get_json

ITEM_KEYS = {"id", "slug", "title", "published_at"}


def link_ids(base):
    return [i.get("id") for i in get_json(base).get("data", [])]


def test_related_links_added_and_removed(khabar):
    A = create(art("مقال المصدر للروابط")).json
    B = create(art("مقال الهدف الأول")).json
    C = create(art("مقال الهدف الثاني")).json
    a, b, c = A["id"], B["id"], C["id"]
    base = "/v1/articles/%d/related" % a
    r = request("GET", base)
    check(r.status == 200 and r.json == {"data": []}, "GET related of an unlinked article -> {data: []}", r.brief())
    check("public" in r.header("cache-control"), "GET related has Cache-Control public", r.header("cache-control"))
    etag0 = get_etag(a)
    r = raw("PUT", "%s/%d" % (base, b), headers={"Authorization": "Bearer " + TOKEN_1})
    check(r.status == 204, "PUT related link -> 204", r.brief())
    expect_no_body(r, "PUT related 204")
    r = request("PUT", "%s/%d" % (base, b), token=TOKEN_1)
    check(r.status == 204, "PUT the same link again -> 204 (idempotent)", r.brief())
    rel = get_json(base).get("data", [])
    check([i.get("id") for i in rel] == [b], "the link is there once", rel)
    check(rel and set(rel[0]) == ITEM_KEYS and rel[0].get("title") == B["title"]
          and rel[0].get("slug") == B["slug"], "related items are {id, slug, title, published_at}", rel)
    check([i.get("id") for i in get_article(a).get("related", [])] == [b], "GET article shows the link", "")
    check(get_etag(a) != etag0, "adding a link changes the article's ETag", etag0)
    r = request("PUT", "%s/%d" % (base, c), token=TOKEN_1)
    check(r.status == 204, "PUT a second link -> 204", r.brief())
    check(sorted(link_ids(base)) == sorted([b, c]), "two links listed", "")
    r = request("DELETE", "%s/%d" % (base, c), token=TOKEN_1)
    check(r.status == 204, "DELETE related link -> 204", r.brief())
    check(link_ids(base) == [b], "link removed", "")
    r = request("DELETE", "%s/%d" % (base, c), token=TOKEN_1)
    expect_problem(r, 404, "DELETE a link that is gone", "/problems/not-found")


@pytest.fixture
def linked(khabar):
    """Two new articles a and b with the link a -> b."""
    a = create(art("مقال مصدر لروابط مرفوضة")).json["id"]
    b = create(art("مقال هدف لروابط مرفوضة")).json["id"]
    r = request("PUT", "/v1/articles/%d/related/%d" % (a, b), token=TOKEN_1)
    if r.status != 204:
        pytest.fail("linking %d -> %d: %s" % (a, b, r.brief()), pytrace=False)
    return a, b


def test_related_link_writes_refused(linked):
    a, b = linked
    base = "/v1/articles/%d/related" % a
    r = request("DELETE", "/v1/articles/%d/related/%d" % (b, a), token=TOKEN_1)
    expect_problem(r, 404, "DELETE the reverse of a link (links are directional)", "/problems/not-found")
    r = request("PUT", "%s/%d" % (base, a), token=TOKEN_1)
    expect_problem(r, 422, "PUT a link from an article to itself")
    r = request("GET", "/v1/articles/999999999/related")
    expect_problem(r, 404, "GET related of a missing article", "/problems/not-found")
    r = request("PUT", "/v1/articles/999999999/related/%d" % a, token=TOKEN_1)
    expect_problem(r, 404, "PUT a link from a missing article", "/problems/not-found")
    r = request("PUT", "%s/999999999" % base, token=TOKEN_1)
    expect_problem(r, 404, "PUT a link to a missing article", "/problems/not-found")
    check(link_ids(base) == [b], "refused link writes changed nothing", "")


@pytest.fixture(scope="module")
def targets(khabar):
    """Two articles to link to, as the POST answers give them."""
    return (create(art("مقال هدف لروابط الإدخال")).json, create(art("مقال هدف ثان لروابط الإدخال")).json)


def test_related_input_keeps_the_order_given(targets):
    B, C = targets
    b, c = B["id"], C["id"]
    r = request("POST", "/v1/articles", body=art("مقال بروابط مرتبة", related=[c, B["slug"]]), token=TOKEN_1)
    check(r.status == 201 and [i.get("id") for i in r.json.get("related", [])] == [c, b],
          "POST related [id, slug] -> related in the order given", r.brief())
    r = request("POST", "/v1/articles", body=art("مقال بروابط معكوسة", related=[b, c]), token=TOKEN_1)
    check(r.status == 201 and [i.get("id") for i in r.json.get("related", [])] == [b, c],
          "POST related in another order keeps that order", r.brief())
    check(r.status == 201 and all(set(i) == ITEM_KEYS for i in r.json["related"]),
          "article related items are {id, slug, title, published_at}", r.brief())


def test_related_input_unknown_targets(khabar):
    n0 = count_articles()
    r = request("POST", "/v1/articles", body=art("مقال برابط مفقود", related=[999999999]), token=TOKEN_1)
    expect_problem(r, 422, "POST related [unknown id]", field="related")
    r = request("POST", "/v1/articles", body=art("مقال برابط مفقود", related=["لا-يوجد-رابط-كهذا"]), token=TOKEN_1)
    expect_problem(r, 422, "POST related [unknown slug]", field="related")
    check(count_articles() == n0, "POST with unknown related created nothing", n0)
