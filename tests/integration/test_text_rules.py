"""test_text_rules.py: when the text rules change, `khabar migrate` recomputes what the database
stores under them (server/db/rekey.c): an archive written by an older build (rows inserted here
with SQL, with its vectors and keys) is found by the new variants once migrated; two tags or
sources that now share a key are merged into the older; an article, author or section whose new
key another has keeps its old one; a second run does nothing, a stopped one goes on."""
import urllib.parse

import harness
from harness import check

DB = "khabar_before_rules"


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def old_article(url, slug, title, body, vector):
    """An article as the build before the new rules wrote it: the slug's key and the vector by
    those rules (presentation forms and ؤ kept, no marks on forms)."""
    harness.psql(url, "INSERT INTO articles (slug, slug_key, title, body, body_html, body_text,"
                      " published_at, search) VALUES (%s, %s, %s, %s, %s, %s, now() - interval '1 hour', %s)"
                 % (sql_text(slug), sql_text(slug), sql_text(title), sql_text(body),
                    sql_text("<p>%s</p>\n" % body), sql_text(body), sql_text(vector)))


def get(srv, path, **params):
    query = ("?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)) if params else ""
    return srv.request("GET", "/".join(urllib.parse.quote(p) for p in path.split("/")) + query, encoded=True)


def found(srv, q):
    r = get(srv, "/v1/articles", q=q)
    return [i["title"] for i in r.json["data"]] if r.status == 200 else r.brief()


def test_migrate_recomputes_old_rows(khabar):
    url = harness.database_before_migration(khabar, DB, "0015")
    old_article(url, "مسؤول-يتحدث", "مسؤول يتحدث", "قال مسؤول في الوزارة",
                "'مسؤول':1A,5C 'يتحدث':2A 'قال':4C 'في':6C 'الوزاره':7C 'وزاره':7C")
    old_article(url, "ﺑﻮﺗﻴﻦ-في-موسكو", "ﺑﻮﺗﻴﻦ في موسكو", "نص", "'ﺑﻮﺗﻴﻦ':1A 'في':2A 'موسكو':3A 'نص':5C")
    old_article(url, "مسئول-يتحدث", "مسئول آخر يتحدث", "نص", "'مسئول':1A 'اخر':2A 'يتحدث':3A 'نص':5C")
    harness.psql(url, "INSERT INTO tags (name, slug) VALUES ('مسئول', 'مسئول'), ('مسؤول', 'مسؤول');"
                      "INSERT INTO sources (name, key) VALUES ('هيأة الإذاعة', 'هياة الاذاعة'),"
                      " ('هيئة الإذاعة', 'هيئة الاذاعة');"
                      "INSERT INTO authors (name, slug, slug_key) VALUES ('مسؤول التحرير', 'مسؤول-التحرير',"
                      " 'مسؤول-التحرير')")
    # the first article in both tags, the others in one each; likewise the sources
    harness.psql(url, "INSERT INTO article_tags (article_id, tag_id, position, published_at)"
                      " SELECT a.id, t.id, t.id, a.published_at FROM articles a, tags t"
                      " WHERE a.id = 1 OR (a.id = 2 AND t.slug = 'مسؤول') OR (a.id = 3 AND t.slug = 'مسئول');"
                      "INSERT INTO article_sources (article_id, source_id, position, published_at)"
                      " SELECT a.id, s.id, 1, a.published_at FROM articles a, sources s"
                      " WHERE (a.id = 1 AND s.id = 2) OR (a.id = 2 AND s.id = 1);"
                      "SELECT khabar_refresh_links(ARRAY[1, 2, 3]::bigint[], 'tags')")
    r = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(r.returncode == 0, "khabar migrate recomputes an old archive and exits 0", r.stdout + r.stderr[-600:])
    check("merged into tag 1" in r.stdout, "two tags that now share a key are merged into the older", r.stdout)
    check("merged into source 1" in r.stdout, "two sources too", r.stdout)
    check("article 1 keeps its old key" in r.stdout,
          "an article whose new slug key another has keeps its old one, and says so", r.stdout)
    again = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(again.returncode == 0 and "recomputed" not in again.stdout,
          "a second migrate recomputes nothing", again.stdout + again.stderr[-300:])
    srv = khabar.start_server(extra={"DATABASE_URL": url}, name="before-rules")
    try:
        check("مسؤول يتحدث" in found(srv, "مسئول"), "an old article is found by the other hamza seat",
              found(srv, "مسئول"))
        check("مسؤول يتحدث" in found(srv, "مسؤولون"), "and by a suffixed form", found(srv, "مسؤولون"))
        check("ﺑﻮﺗﻴﻦ في موسكو" in found(srv, "بوتين"), "an old article in presentation forms is found",
              found(srv, "بوتين"))
        tag = get(srv, "/v1/tags/مسؤول")
        check(tag.status == 200 and tag.json.get("slug") == "مسئول" and tag.json.get("article_count") == 3,
              "the merged tag answers to both spellings with all three articles", tag.brief())
        check(get(srv, "/v1/tags", limit=100).json["data"].__len__() == 1, "one tag is left")
        one = get(srv, "/v1/articles/1").json
        check([t["slug"] for t in one.get("tags", [])] == ["مسئول"],
              "an article that had both tags has the merged one once, under its new slug", one.get("tags"))
        src = get(srv, "/v1/articles", source="هيأة الإذاعة")
        check(src.status == 200 and len(src.json["data"]) == 2, "the merged source lists both articles",
              src.brief())
        check(get(srv, "/v1/authors/مسئول-التحرير").status == 200, "an author answers to the new key")
        check(get(srv, "/v1/articles/مسئول-يتحدث").json.get("id") == 3,
              "the article that had the shared slug key keeps its address")
    finally:
        srv.stop()
    # a run stopped after the first article: not ready until the next one goes on from there
    harness.psql(url, "UPDATE text_rules SET version = 1, through = 1 WHERE kind = 'articles'")
    behind = khabar.start_server(extra={"DATABASE_URL": url}, name="rules-behind")
    try:
        check(harness.wait_until(lambda: behind.request("GET", "/readyz").status == 503, 10),
              "rows still under older rules: /readyz 503 until khabar migrate finishes them")
    finally:
        behind.stop()
    resumed = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(resumed.returncode == 0 and "recomputed 2 articles" in resumed.stdout,
          "a stopped run recomputes only the rows after the last one it did", resumed.stdout)
    # a run stopped while the search index was away (many articles): the next one makes it again
    harness.psql(url, "UPDATE text_rules SET version = 1, through = 0,"
                      " rebuild = pg_get_indexdef('articles_search'::regclass) WHERE kind = 'articles';"
                      "DROP INDEX articles_search")
    rebuilt = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(rebuilt.returncode == 0 and "making the search index again" in rebuilt.stdout
          and harness.psql(url, "SELECT to_regclass('articles_search') IS NOT NULL").strip() == "t",
          "a run stopped without the search index makes it again", rebuilt.stdout + rebuilt.stderr[-300:])
    harness.psql(khabar.pg.url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB)
