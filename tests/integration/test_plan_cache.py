"""test_plan_cache.py: how PostgreSQL plans what khabar sends: a prepared statement runs its one
generic plan from its first run (planned once per connection, never again for each page), and a
statement khabar sends with its text each time is planned for its values.

PostgreSQL's auto_explain, loaded into the sessions of a server started for the test, writes
every plan it runs to the cluster's log: a generic plan still names its parameters ($1, $7...),
a custom plan has the values in their place."""
import os
import re

import harness
from harness import check


def set_database(h, settings):
    """ALTER DATABASE (the harness's) SET each setting: new sessions start with them."""
    sql = "".join("EXECUTE format('ALTER DATABASE %%I SET %s = %%L', current_database(), '%s');" % kv
                  for kv in settings.items())
    h.psql("DO $$ BEGIN %s END $$;" % sql)


def logged_plans(log_text, query_fragment):
    """The plans auto_explain logged for queries whose text holds query_fragment, in order."""
    plans = []
    for entry in re.split(r"^.*LOG:  duration: [0-9.]+ ms  plan:$", log_text, flags=re.M)[1:]:
        lines = entry.split("\n")
        text = next((line for line in lines if "Query Text:" in line), "")
        if query_fragment not in text:
            continue
        body = []
        for line in lines[lines.index(text) + 1:]:
            if not line.startswith(("\t", " ")):
                break
            body.append(line)
        plans.append("\n".join(body))
    return plans


def test_prepared_statements_run_generic_plans_and_unprepared_ones_custom(khabar, start_server):
    h = khabar
    tag = "تخطيط"
    for i in range(3):
        r = harness.post_article(h.server, harness.art("مقال عن الخطة %d" % i, tags=[tag]))
        check(r.status == 201, "an article with the tag is created", r.brief())
    log_path = os.path.join(h.pg.dir, "postgresql.log")
    start = os.path.getsize(log_path)
    set_database(h, {"session_preload_libraries": "auto_explain", "auto_explain.log_min_duration": "0"})
    try:
        srv = start_server(name="explained", DB_POOL_SIZE=1, CACHE_BYTES=0)
        path = "/v1/articles?" + harness.qs(tag=tag, limit=2)
        for _ in range(8):
            r = srv.request("GET", path, encoded=True)
            check(r.status == 200 and len(r.json["data"]) == 2, "the tag's list answers", r.brief())
            r = srv.request("GET", "/v1/tags?" + harness.qs(q=tag[:2]), encoded=True)
            check(r.status == 200 and r.json["data"], "the tags with a prefix answer", r.brief())
    finally:
        h.psql("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ALL', current_database()); END $$;")
    with open(log_path, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        log_text = f.read()

    lists = logged_plans(log_text, "FROM article_tags x JOIN articles a")
    check(len(lists) >= 8, "auto_explain logged each run of the tag's list (%d)" % len(lists), log_text[-2000:])
    custom = [i + 1 for i, plan in enumerate(lists) if not re.search(r"\$7\b", plan)]
    check(lists and not custom, "the tag's list ran its generic plan at every run (custom at runs %s)" % custom,
          lists[0] if lists else "")

    prefixes = logged_plans(log_text, "t.slug ~>=~ $4")
    check(len(prefixes) >= 8, "auto_explain logged each run of the tag prefix list (%d)" % len(prefixes))
    generic = [i + 1 for i, plan in enumerate(prefixes) if re.search(r"\$4\b", plan)]
    check(prefixes and not generic,
          "the prefix list was planned for its prefix at every run (generic at runs %s)" % generic,
          prefixes[0] if prefixes else "")
