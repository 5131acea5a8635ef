"""Lead images: an article's image metadata (url, alt, caption, credit, size, renditions) checked, stored, served in the article and its list items, changed by PUT, PATCH and import."""
import json
import os

import harness
from harness import check, request
from articles_helpers import count_articles, create, expect_problem, get_article, patch

IMAGE = {
    "url": "https://cdn.example/2024/05/putin.jpg",
    "alt": "  الرئيس الروسي فلاديمير بوتين في الكرملين  ",
    "caption": "بوتين خلال اجتماع في موسكو",
    "credit": "رويترز",
    "width": 1600,
    "height": 900,
    "renditions": [{"url": "https://cdn.example/2024/05/putin-400.jpg", "width": 400, "height": 225}],
}


def titled(n):
    return "مقال بصورة رقم %d" % n


def test_image_stored_and_served(khabar):
    a = create(harness.art(titled(1), image=IMAGE)).json
    want = dict(IMAGE, alt=IMAGE["alt"].strip())
    check(a.get("image") == want, "201 answers the image, its texts trimmed", a.get("image"))
    check(get_article(a["id"]).get("image") == want, "GET answers the same image", "")
    items = request("GET", "/v1/articles?limit=100").json["data"]
    item = next((i for i in items if i["id"] == a["id"]), {})
    check(item.get("image") == want, "list items carry the image (a frontend shows it beside the title)", item)
    plain = create(harness.art(titled(2))).json
    check(plain.get("image") is None and "image" in plain, "an article without an image has image null", plain)
    bare = create(harness.art(titled(3), image={"url": "https://cdn.example/a.png", "alt": "شعار"})).json
    check(bare.get("image") == {"url": "https://cdn.example/a.png", "alt": "شعار", "caption": None, "credit": None,
                                "width": None, "height": None, "renditions": []},
          "only url and alt are required; the others are null or empty", bare.get("image"))


BAD_IMAGES = [
    ({"url": "https://cdn.example/a.jpg"}, "image.alt"),
    ({"url": "https://cdn.example/a.jpg", "alt": "   "}, "image.alt"),
    ({"url": "https://cdn.example/a.jpg", "alt": 5}, "image.alt"),
    ({"alt": "صورة"}, "image.url"),
    ({"url": "javascript:alert(1)", "alt": "صورة"}, "image.url"),
    ({"url": "JavaScript://cdn.example/%0Aalert(1)", "alt": "صورة"}, "image.url"),
    ({"url": "data:image/png;base64,AAAA", "alt": "صورة"}, "image.url"),
    ({"url": "http://cdn.example/a.jpg", "alt": "صورة"}, "image.url"),
    ({"url": "/2024/a.jpg", "alt": "صورة"}, "image.url"),
    ({"url": "https://", "alt": "صورة"}, "image.url"),
    ({"url": "https:///a.jpg", "alt": "صورة"}, "image.url"),
    ({"url": "https://cdn.example/a b.jpg", "alt": "صورة"}, "image.url"),
    ({"url": "https://cdn.example/a\".jpg", "alt": "صورة"}, "image.url"),
    ({"url": "https://cdn.example/" + "a" * 2100, "alt": "صورة"}, "image.url"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "width": 0}, "image.width"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "height": "900"}, "image.height"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "width": 100001}, "image.width"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "width": 1.5}, "image.width"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "caption": "ت" * 2001}, "image.caption"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "credit": ["رويترز"]}, "image.credit"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "onload": "x"}, "image.onload"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "renditions": {}}, "image.renditions"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة",
      "renditions": [{"url": "https://cdn.example/b.jpg", "width": 4, "height": 3}] * 21}, "image.renditions"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة",
      "renditions": [{"url": "https://cdn.example/b.jpg", "width": 4}]}, "image.renditions[0].height"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة",
      "renditions": [{"url": "https://cdn.example/b.jpg", "width": 4, "height": 3},
                     {"url": "vbscript:x", "width": 4, "height": 3}]}, "image.renditions[1].url"),
    ({"url": "https://cdn.example/a.jpg", "alt": "صورة", "renditions": ["https://cdn.example/b.jpg"]},
     "image.renditions[0]"),
    ("https://cdn.example/a.jpg", "image"),
    ([IMAGE], "image"),
]


def test_bad_images_refused(khabar):
    """Each bad image is a 422 naming the field, and nothing is written."""
    before = count_articles()
    for i, (image, field) in enumerate(BAD_IMAGES):
        r = request("POST", "/v1/articles", body=harness.art(titled(100 + i), image=image), token=harness.TOKEN_1)
        expect_problem(r, 422, "image %s" % json.dumps(image, ensure_ascii=False)[:120], field=field)
    check(count_articles() == before, "no refused image created an article", "")


def test_image_schemes_configurable(khabar):
    """IMAGE_URL_SCHEMES=https,http lets a newsroom keep its older http CDN."""
    srv = khabar.start_server(extra={"IMAGE_URL_SCHEMES": "https,http"}, name="http-images")
    try:
        img = {"url": "http://old-cdn.example/a.jpg", "alt": "صورة قديمة"}
        r = srv.request("POST", "/v1/articles", body=harness.art(titled(200), image=img), token=harness.TOKEN_1)
        check(r.status == 201 and r.json["image"]["url"] == img["url"], "http allowed when configured", r.brief())
        r = srv.request("POST", "/v1/articles", body=harness.art(titled(201), image=dict(img, url="ftp://x.example/a")),
                        token=harness.TOKEN_1)
        expect_problem(r, 422, "a scheme still not allowed", field="image.url")
    finally:
        srv.stop()


def test_image_replaced_patched_removed(khabar):
    a = create(harness.art(titled(300), image=IMAGE)).json
    r = patch(a["id"], {"image": {"caption": "تعليق جديد", "renditions": None}})
    check(r.status == 200 and r.json["image"]["caption"] == "تعليق جديد" and r.json["image"]["url"] == IMAGE["url"]
          and r.json["image"]["renditions"] == [],
          "PATCH merges into the image (RFC 7396): one member changed, null removes another", r.brief(400))
    r = patch(a["id"], {"image": {"alt": None}})
    expect_problem(r, 422, "PATCH removing the alt", field="image.alt")
    check(get_article(a["id"])["image"]["caption"] == "تعليق جديد", "the refused PATCH changed nothing", "")
    r = patch(a["id"], {"image": None})
    check(r.status == 200 and r.json["image"] is None, "PATCH image null removes it", r.brief(300))
    r = request("PUT", "/v1/articles/%d" % a["id"], body=harness.art(titled(300), image=IMAGE), token=harness.TOKEN_1)
    check(r.status == 200 and r.json["image"]["width"] == 1600, "PUT sets it again", r.brief(300))
    r = request("PUT", "/v1/articles/%d" % a["id"], body=harness.art(titled(300)), token=harness.TOKEN_1)
    check(r.status == 200 and r.json["image"] is None, "PUT without image: none (PUT replaces)", r.brief(300))


def test_image_imported(khabar):
    path = os.path.join(khabar.workdir, "images.ndjson")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(harness.art(titled(400), image=IMAGE), ensure_ascii=False) + "\n")
        f.write(json.dumps(harness.art(titled(401), image={"url": "javascript:x", "alt": "x"}), ensure_ascii=False)
                + "\n")
    r = khabar.run_cli(["import", path])
    check(r.returncode == 1 and "image.url" in r.stderr, "import refuses the bad image's line, naming the field",
          r.stderr[-400:])
    got = request("GET", "/v1/articles/" + "-".join(titled(400).split())).json
    check(got.get("image", {}).get("renditions") == IMAGE["renditions"], "import stores the image", got.get("image"))
