"""test_job_queues.py: requests waiting for a job thread: a full queue answers 503 at once, a request that waited past JOB_QUEUE_TIMEOUT is answered 503 without being run, and one whose client went away is not run at all (logged as 499); GETs of articles, and lists of articles of names, of sections and sections' fronts, waiting together are answered together, each with its own answer, also when their connection is lost under them."""
import socket
import threading
import time

import pytest

import harness
from harness import TOKEN_1, art, check, create, expect_problem, log_entry, metric_value, psql, wait_until
from http_client import Response, build_request

# One job thread, two requests may wait for it; a list waits on a locked table until it is free.
QUEUE_MAX = 2
QUEUE_TIMEOUT_MS = 1500


@pytest.fixture(scope="module")
def queued(module_server):
    """A server with one DB_JOBS thread, JOB_QUEUE_MAX=2, JOB_QUEUE_TIMEOUT=1.5 s and no answer cache,
    whose statements wait as long as a lock is held."""
    return module_server(name="queues", DB_JOBS=1, SEARCH_JOBS=1, DB_POOL_SIZE=2, JOB_QUEUE_MAX=QUEUE_MAX,
                         JOB_QUEUE_TIMEOUT=QUEUE_TIMEOUT_MS, STATEMENT_TIMEOUT=30000, CACHE_BYTES=0)


def timed(srv, method, path, timeout, **kw):
    """(the Response or the OSError of one request, seconds it took)."""
    t0 = time.monotonic()
    try:
        return srv.request(method, path, timeout=timeout, **kw), time.monotonic() - t0
    except OSError as e:
        return e, time.monotonic() - t0


def brief(got):
    return got.brief() if isinstance(got, Response) else repr(got)


class Background:
    """Requests sent on threads; results[i] is (answer or error, seconds) of the i-th."""

    def __init__(self):
        self.threads, self.results = [], {}

    def send(self, srv, method, path, timeout=60, **kw):
        i = len(self.threads)

        def run():
            self.results[i] = timed(srv, method, path, timeout, **kw)
        t = threading.Thread(target=run)
        t.start()
        self.threads.append(t)

    def join(self):
        for t in self.threads:
            t.join()
        return [self.results.get(i, (None, 0)) for i in range(len(self.threads))]


def waiting(srv):
    return metric_value(srv, 'khabar_jobs_waiting{queue="db"}')


def occupy_job_thread(srv, lock, bg):
    """A list that holds the one job thread, waiting on the locked table."""
    bg.send(srv, "GET", "/v1/articles?limit=1")
    check(wait_until(lambda: lock.waiters() == 1, 10), "a list waits on the locked table", lock.waiters())


def test_full_queue_answers_503(khabar, queued):
    """The job thread busy and JOB_QUEUE_MAX requests waiting: the next is answered 503 with Retry-After
    at once; those that waited past JOB_QUEUE_TIMEOUT get 503 without being run; then 200 again."""
    srv = queued
    refused = metric_value(srv, 'khabar_jobs_refused_total{queue="db"}')
    late = metric_value(srv, 'khabar_jobs_skipped_total{reason="waited_too_long"}')
    bg = Background()
    with harness.TableLock(khabar.pg.url, "articles") as lock:
        occupy_job_thread(srv, lock, bg)
        t_queued = time.monotonic()
        for n in range(QUEUE_MAX):
            bg.send(srv, "GET", "/v1/articles?limit=%d" % (n + 2))
        check(wait_until(lambda: waiting(srv) == QUEUE_MAX, 10), "JOB_QUEUE_MAX=2 requests wait", waiting(srv))
        got, secs = timed(srv, "GET", "/v1/articles?limit=9", 5)
        if check(isinstance(got, Response), "a request past JOB_QUEUE_MAX is answered", brief(got)):
            expect_problem(got, 503, "a request past JOB_QUEUE_MAX", "/problems/overloaded")
            check(got.header("retry-after").isdigit(), "the 503 has Retry-After", got.headers)
        check(secs < 1.0, "and at once (%.2f s)" % secs, secs)
        w, _ = timed(srv, "POST", "/v1/articles", 5, body=art("طابور ممتلئ"), token=TOKEN_1)
        check(isinstance(w, Response) and w.status == 503, "a write past JOB_QUEUE_MAX -> 503", brief(w))
        check(metric_value(srv, 'khabar_jobs_refused_total{queue="db"}') == refused + 2,
              "khabar_jobs_refused_total counts both", metric_value(srv, 'khabar_jobs_refused_total{queue="db"}'))
        # the waiting ones wait past JOB_QUEUE_TIMEOUT before the lock goes
        time.sleep(max(0.0, QUEUE_TIMEOUT_MS / 1000.0 + 0.5 - (time.monotonic() - t_queued)))
    results = bg.join()
    first = results[0][0]
    check(isinstance(first, Response) and first.status == 200, "the list that held the job thread -> 200", brief(first))
    for got, _ in results[1:]:
        if check(isinstance(got, Response), "a request that waited past JOB_QUEUE_TIMEOUT is answered", brief(got)):
            expect_problem(got, 503, "a request that waited past JOB_QUEUE_TIMEOUT", "/problems/overloaded")
            check(got.header("retry-after").isdigit(), "its 503 has Retry-After", got.headers)
    check(metric_value(srv, 'khabar_jobs_skipped_total{reason="waited_too_long"}') == late + QUEUE_MAX,
          "khabar_jobs_skipped_total{reason=waited_too_long} counts them", "")
    check(khabar.psql("SELECT count(*) FROM articles WHERE title = 'طابور ممتلئ'") == "0",
          "the refused write stored nothing", "")
    r = srv.request("GET", "/v1/articles?limit=1")
    check(r.status == 200, "once the lock is gone the service answers 200 again", r.brief())
    check(waiting(srv) == 0, "and nothing waits", waiting(srv))


def send_and_close(srv, method, path, request_id, body=None, token=None):
    """Sends one request on a new connection and returns the socket, still open, without reading."""
    headers = {"X-Request-Id": request_id}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        headers["Content-Type"] = "application/json"
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(build_request(srv.port, method, path, headers=headers, body=body))
    return s


def test_clients_gone_while_queued_are_not_served(khabar, queued):
    """Clients that send a request and close while it waits for the job thread: it is not run (a POST
    stores nothing) and the log shows 499."""
    srv = queued
    gone = metric_value(srv, 'khabar_jobs_skipped_total{reason="client_gone"}')
    title = "مقال عميل غائب"
    bg = Background()
    with harness.TableLock(khabar.pg.url, "articles") as lock:
        occupy_job_thread(srv, lock, bg)
        body = ('{"title": "%s", "body": "نص"}' % title).encode("utf-8")
        socks = [send_and_close(srv, "GET", "/v1/articles?limit=3", "gone-get-1"),
                 send_and_close(srv, "POST", "/v1/articles", "gone-post-1", body=body, token=TOKEN_1)]
        check(wait_until(lambda: waiting(srv) == 2, 10), "both wait for the job thread", waiting(srv))
        for s in socks:
            s.close()
        time.sleep(0.3)
    results = bg.join()
    check(isinstance(results[0][0], Response) and results[0][0].status == 200, "the list that held the job thread -> 200",
          brief(results[0][0]))
    for rid in ("gone-get-1", "gone-post-1"):
        e = log_entry(srv, rid, wait=5)
        check(e is not None and e.get("status") == 499, "the log shows %s as 499" % rid, e)
    check(khabar.psql("SELECT count(*) FROM articles WHERE title = '%s'" % title) == "0",
          "the POST whose client went away was not run: nothing stored", "")
    check(metric_value(srv, 'khabar_jobs_skipped_total{reason="client_gone"}') == gone + 2,
          "khabar_jobs_skipped_total{reason=client_gone} counts both", "")
    check(metric_value(srv, 'khabar_http_requests_total{route="articles_create",status="499"}') >= 1,
          "/metrics counts the POST under status 499", "")
    r = srv.request("GET", "/v1/articles?limit=1")
    check(r.status == 200, "the service answers 200 afterwards", r.brief())


def test_pipelined_client_is_served(khabar, queued):
    """A client that sent a second request behind the first while it waited has not gone: both are answered."""
    srv = queued
    bg = Background()
    with harness.TableLock(khabar.pg.url, "articles") as lock:
        occupy_job_thread(srv, lock, bg)
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
        first = b"GET /v1/articles?limit=4 HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(first + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(wait_until(lambda: waiting(srv) == 1, 10), "the first request waits for the job thread", waiting(srv))
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    s.close()
    bg.join()
    check(got.count(b"HTTP/1.1 200") == 2, "both pipelined requests -> 200", got[:300])


def test_queue_server_stops(queued):
    status, _ = queued.stop(30.0)
    check(status == 0, "the server exits 0", queued.log_tail(10))


@pytest.fixture(scope="module")
def batching(khabar, module_server):
    """One DB_JOBS thread with room for many waiting requests and no answer cache: GETs of articles
    queued behind a busy thread are taken together. Its admin_token lists webhooks."""
    r = khabar.run_cli(["token", "create", "batch-admin", "--role", "admin"])
    assert r.returncode == 0, r.stderr
    srv = module_server(name="batches", DB_JOBS=1, SEARCH_JOBS=1, DB_POOL_SIZE=2, JOB_QUEUE_MAX=64,
                        STATEMENT_TIMEOUT=30000, CACHE_BYTES=0)
    srv.admin_token = r.stdout.strip()
    return srv


@pytest.fixture(scope="module")
def batch_articles(batching):
    """Five published articles, a draft and a withdrawn one, made through the batching server."""
    published = [create(batching, art("مقال الدفعة رقم %d" % i, "نص المقال رقم %d في الدفعة" % i))
                 for i in range(5)]
    draft = create(batching, art("مسودة الدفعة", "نص المسودة", status="draft"))
    gone = create(batching, art("مقال مسحوب من الدفعة", "نص المقال المسحوب"))
    r = batching.request("PATCH", "/v1/articles/%d" % gone["id"], token=TOKEN_1,
                         body={"status": "withdrawn", "withdrawn_reason": "خطأ في المصدر"},
                         headers={"Content-Type": "application/merge-patch+json"})
    check(r.status == 200, "the article is withdrawn", r.brief())
    return {"published": published, "draft": draft, "withdrawn": gone}


def occupy_with_sections(srv, lock, bg):
    """The sections list holds the one job thread, waiting on the locked sections table."""
    bg.send(srv, "GET", "/v1/sections")
    check(wait_until(lambda: lock.waiters() == 1, 10), "the sections list waits on its locked table",
          lock.waiters())


def batch_counts(srv):
    return (metric_value(srv, 'khabar_jobs_batches_total{queue="db"}'),
            metric_value(srv, 'khabar_jobs_batched_requests_total{queue="db"}'))


def queue_article_gets(srv, bg, gets):
    """Sends each (path, headers, token) of gets on a thread, then waits until all are queued."""
    before = waiting(srv)
    for path, headers, token in gets:
        bg.send(srv, "GET", path, headers=headers, token=token)
    check(wait_until(lambda: waiting(srv) == before + len(gets), 10),
          "the %d GETs wait for the job thread" % len(gets), waiting(srv))


def test_queued_gets_answered_together_each_its_own(khabar, batching, batch_articles):
    """GETs of articles waiting for the job thread are run in one batch, their statements in one round trip:
    each answer is its own article (by id or slug, JSON or JSON-LD), a draft is 404 to the public and 200 to
    an editor, a withdrawn article 410, a missing id 404, and a client that went away is not answered."""
    srv, a = batching, batch_articles
    pub = a["published"]
    gets = [("/v1/articles/%d" % x["id"], None, None) for x in pub]
    gets += [("/v1/articles/" + pub[2]["slug"], None, None),
             ("/v1/articles/%d" % pub[3]["id"], {"Accept": "application/ld+json"}, None),
             ("/v1/articles/%d" % a["draft"]["id"], None, None),
             ("/v1/articles/%d" % a["draft"]["id"], None, TOKEN_1),
             ("/v1/articles/%d" % a["withdrawn"]["id"], None, None),
             ("/v1/articles/987654321", None, None)]
    batches, batched = batch_counts(srv)
    bg = Background()
    with harness.TableLock(khabar.pg.url, "sections") as lock:
        occupy_with_sections(srv, lock, bg)
        queue_article_gets(srv, bg, gets)
        gone = send_and_close(srv, "GET", "/v1/articles/%d" % pub[0]["id"], "gone-batched-get")
        check(wait_until(lambda: waiting(srv) == len(gets) + 1, 10), "and one whose client will go",
              waiting(srv))
        gone.close()
        time.sleep(0.3)
    results = [got for got, _ in bg.join()]
    check(isinstance(results[0], Response) and results[0].status == 200, "the sections list -> 200",
          brief(results[0]))
    answers = results[1:]
    ok = all(isinstance(r, Response) for r in answers)
    check(ok, "every GET is answered", [brief(r) for r in answers])
    if not ok:
        return
    for x, r in zip(pub, answers):
        check(r.status == 200 and r.json.get("id") == x["id"] and r.json.get("title") == x["title"],
              "GET /v1/articles/%d -> its own article" % x["id"], r.brief())
    by_slug, ld, public_draft, editor_draft, withdrawn, missing = answers[len(pub):]
    check(by_slug.status == 200 and by_slug.json.get("id") == pub[2]["id"], "by slug -> its article",
          by_slug.brief())
    check(ld.status == 200 and ld.headers.get("content-type", "").startswith("application/ld+json") and
          ld.json.get("headline") == pub[3]["title"], "JSON-LD asked for -> the article's NewsArticle", ld.brief())
    check(public_draft.status == 404, "the draft, to the public -> 404", public_draft.brief())
    check(editor_draft.status == 200 and editor_draft.json.get("status") == "draft",
          "the draft, to an editor -> 200", editor_draft.brief())
    check(withdrawn.status == 410, "the withdrawn article -> 410", withdrawn.brief())
    expect_problem(missing, 404, "a missing id in the batch")
    e = log_entry(srv, "gone-batched-get", wait=5)
    check(e is not None and e.get("status") == 499, "the GET whose client went away is logged 499", e)
    now = batch_counts(srv)
    check(now == (batches + 1, batched + len(gets) + 1),
          "one batch took the %d waiting GETs, the gone client's too (khabar_jobs_batches_total, "
          "_batched_requests_total)" % (len(gets) + 1), (batches, batched, now))


LIST_TAG, LIST_SOURCE = "وسم قائمة الدفعة", "مصدر قائمة الدفعة"


@pytest.fixture(scope="module")
def batch_lists(batching):
    """Three articles with the batch's tag (two with its source too, one with a second tag), an English one
    with it, and a draft with it; the list requests to queue, each (path, token)."""
    for i in range(3):
        create(batching, art("مقال قائمة الدفعة رقم %d" % i, "نص مقال القائمة رقم %d" % i,
                             tags=[LIST_TAG] + (["وسم ثان للدفعة"] if i == 0 else []),
                             sources=[LIST_SOURCE] if i < 2 else []))
    create(batching, art("A batch list article", "Its body.", lang="en", tags=[LIST_TAG]))
    create(batching, art("مسودة قائمة الدفعة", "نص المسودة", status="draft", tags=[LIST_TAG]))
    first = batching.request("GET", "/v1/articles?tag=%s&limit=2" % LIST_TAG)
    check(first.status == 200 and first.json.get("next_cursor"), "the tag's first page has a next page",
          first.brief())
    return [("/v1/articles?limit=3", None),
            ("/v1/articles?tag=%s" % LIST_TAG, None),
            ("/v1/articles?source=%s" % LIST_SOURCE, None),
            ("/v1/articles?tag=%s&source=%s&limit=1" % (LIST_TAG, LIST_SOURCE), None),
            ("/v1/articles?tag=%s&cursor=%s&limit=2" % (LIST_TAG, first.json["next_cursor"]), None),
            ("/v1/articles?tag=%s&lang=en" % LIST_TAG, None),
            ("/v1/articles?tag=%s&facets=source,tag" % LIST_TAG, None),
            ("/v1/articles?tag=وسم-لا-وجود-له", None),
            ("/v1/articles?tag=%s&source=مصدر-لا-وجود-له" % LIST_TAG, None),
            ("/v1/articles?status=draft&limit=100", TOKEN_1),
            ("/v1/articles?status=draft", None),
            ("/v1/articles?limit=0", None)]


def answered_together_as_alone(khabar, srv, gets):
    """Queues each (path, token) of gets behind the busy job thread, checks that one batch took them and that
    each answer is the one the same GET gets alone afterwards (status, body, Last-Modified); the answers."""
    batches, batched = batch_counts(srv)
    bg = Background()
    with harness.TableLock(khabar.pg.url, "sections") as lock:
        occupy_with_sections(srv, lock, bg)
        queue_article_gets(srv, bg, [(path, None, token) for path, token in gets])
    answers = [got for got, _ in bg.join()][1:]
    now = batch_counts(srv)
    check(now == (batches + 1, batched + len(gets)), "one batch took the %d waiting GETs" % len(gets),
          (batches, batched, now))
    for (path, token), got in zip(gets, answers):
        alone = srv.request("GET", path, token=token)
        check(isinstance(got, Response) and got.status == alone.status and got.body == alone.body and
              got.header("last-modified") == alone.header("last-modified"),
              "GET %s in the batch -> as alone (%d)" % (path, alone.status), (brief(got), alone.brief()))
    return answers


def test_queued_lists_answered_together_each_as_alone(khabar, batching, batch_lists):
    """Lists waiting for the job thread are run in one batch (their filters looked up in one round trip, their
    pages and the last change in another): each is answered exactly as it is when asked alone afterwards, the
    same status, body and Last-Modified: filtered, paged, faceted, an unknown filter an empty page, an editors'
    list 200 to an editor and 401 to the public, a bad limit 400."""
    answers = answered_together_as_alone(khabar, batching, batch_lists)
    statuses = [r.status for r in answers if isinstance(r, Response)]
    check(statuses == [200] * 10 + [401, 400], "the lists' statuses", statuses)
    tagged = answers[1].json["data"] if isinstance(answers[1], Response) else []
    check(len(tagged) == 4 and all(LIST_TAG in [t["name"] for t in x["tags"]] for x in tagged),
          "the tag's list holds its four public articles", [x.get("title") for x in tagged])
    check(answers[7].json == {"data": [], "next_cursor": None}, "an unknown tag -> an empty page",
          brief(answers[7]))


def test_queued_name_lists_answered_together_each_as_alone(khabar, batching, batch_lists):
    """Lists of tags, sources and authors waiting for the job thread are run in one batch (each route's pages
    and the last change in one round trip): each is answered as it is alone afterwards, paged, by a name's
    start, and a bad argument 400."""
    srv = batching
    first = srv.request("GET", "/v1/tags?limit=1")
    check(first.status == 200 and first.json.get("next_cursor"), "the tags' first page has a next page",
          first.brief())
    lists = ["/v1/tags", "/v1/tags?limit=1", "/v1/tags?limit=1&cursor=" + first.json["next_cursor"],
             "/v1/tags?q=وسم قائمة", "/v1/sources", "/v1/sources?q=مصدر قائمة", "/v1/authors",
             "/v1/tags?q=لا-وسم-بهذا-الاسم", "/v1/tags?limit=0", "/v1/sources?cursor=zz"]
    answers = answered_together_as_alone(khabar, srv, [(path, None) for path in lists])
    statuses = [r.status for r in answers if isinstance(r, Response)]
    check(statuses == [200] * 8 + [400, 400], "the lists' statuses", statuses)
    named = answers[3].json["data"] if isinstance(answers[3], Response) else []
    check([t.get("name") for t in named] == [LIST_TAG], "a tag's start -> the batch's tag", named)
    check(answers[7].json.get("data") == [], "a start no tag has -> an empty page", brief(answers[7]))


@pytest.fixture(scope="module")
def batch_sections(batching):
    """Two sections, four articles in the first with one pinned on its front (a page of it: the pinned, then
    limit newest); (sections' lists, fronts) to queue, each with a later page by its cursor."""
    srv = batching
    for slug in ("batch-desk-a", "batch-desk-b"):
        r = srv.request("POST", "/v1/sections", body={"name": "قسم الدفعة " + slug[-1], "slug": slug}, token=TOKEN_1)
        check(r.status == 201, "section %s created" % slug, r.brief())
    arts = [create(srv, art("مقال قسم الدفعة رقم %d" % i, "نص مقال القسم رقم %d" % i, section="batch-desk-a"))
            for i in range(4)]
    pinned = srv.request("PUT", "/v1/sections/batch-desk-a/front", body=[arts[0]["id"]], token=TOKEN_1)
    check(pinned.status == 204, "the first article pinned", pinned.brief())
    sections = srv.request("GET", "/v1/sections?limit=1")
    front = srv.request("GET", "/v1/sections/batch-desk-a/front?limit=2")
    check(sections.json.get("next_cursor") and front.json.get("next_cursor") and
          [x["id"] for x in front.json["data"]] == [arts[i]["id"] for i in (0, 3, 2)],
          "the first pages have next pages, the front its pinned article first", (sections.brief(), front.brief()))
    lists = ["/v1/sections", "/v1/sections?limit=1", "/v1/sections?limit=1&cursor=" + sections.json["next_cursor"],
             "/v1/sections?limit=0", "/v1/sections?cursor=zz"]
    fronts = ["/v1/sections/batch-desk-a/front", "/v1/sections/batch-desk-a/front?limit=2",
              "/v1/sections/batch-desk-a/front?limit=2&cursor=" + front.json["next_cursor"],
              "/v1/sections/batch-desk-b/front", "/v1/sections/no-such-desk/front",
              "/v1/sections/batch-desk-a/front?limit=101"]
    return lists, fronts, arts


def test_queued_sections_lists_and_fronts_answered_together_each_as_alone(khabar, batching, batch_sections):
    """Lists of sections waiting for the job thread are run in one batch (their pages and the last change in
    one round trip), and so are sections' fronts (their sections found in one round trip, their pages in
    another): each is answered as it is alone afterwards, paged by cursor, the pinned article first, an empty
    section an empty page, an unknown section 404, a bad argument 400."""
    lists, fronts, arts = batch_sections
    listed = answered_together_as_alone(khabar, batching, [(path, None) for path in lists])
    statuses = [r.status for r in listed if isinstance(r, Response)]
    check(statuses == [200, 200, 200, 400, 400], "the sections lists' statuses", statuses)
    check([x.get("slug") for x in listed[0].json["data"]] == ["batch-desk-a", "batch-desk-b"],
          "the sections in their order", brief(listed[0]))
    answered = answered_together_as_alone(khabar, batching, [(path, None) for path in fronts])
    statuses = [r.status for r in answered if isinstance(r, Response)]
    check(statuses == [200, 200, 200, 200, 404, 400], "the fronts' statuses", statuses)
    check([x["id"] for x in answered[0].json["data"]] == [arts[i]["id"] for i in (0, 3, 2, 1)],
          "the front: the pinned article, then the newest", brief(answered[0]))
    check([x["id"] for x in answered[2].json["data"]] == [arts[1]["id"]],
          "the front's next page continues the newest", brief(answered[2]))
    check(answered[3].json["data"] == [], "an empty section's front -> an empty page", brief(answered[3]))


# khabar's backends whose statement reads one article by id and waits for a lock
ARTICLE_READS_WAITING = ("FROM pg_stat_activity WHERE application_name = 'khabar' AND wait_event_type = 'Lock' "
                         "AND query LIKE '%FROM articles a WHERE a.id = $1%'")


def test_batch_whose_connection_is_lost_is_answered(khabar, batching, batch_articles):
    """The batch's statements sent, their connection's backend terminated while they wait: each GET runs again
    on a new connection and is answered 200 with its own article."""
    srv, pub = batching, batch_articles["published"]
    gets = [("/v1/articles/%d" % x["id"], None, None) for x in pub]
    connects = metric_value(srv, 'khabar_db_connects_total{pool="primary"}')
    url = khabar.pg.url

    def reads_waiting():
        return int(psql(url, "SELECT count(*) " + ARTICLE_READS_WAITING))
    bg = Background()
    with harness.TableLock(url, "articles"):
        # the webhooks list (it reads no article) holds the job thread while the GETs queue
        with harness.TableLock(url, "webhooks") as lock:
            bg.send(srv, "GET", "/v1/webhooks", token=srv.admin_token)
            check(wait_until(lambda: lock.waiters() == 1, 10), "the webhooks list waits on its locked table",
                  lock.waiters())
            queue_article_gets(srv, bg, gets)
        check(wait_until(lambda: reads_waiting() == 1, 10), "the batch's first statement waits on the articles",
              reads_waiting())
        pids = psql(url, "SELECT pid " + ARTICLE_READS_WAITING)
        psql(url, "SELECT pg_terminate_backend(%s)" % pids)
        check(wait_until(lambda: psql(url, "SELECT count(*) FROM pg_stat_activity WHERE pid = %s" % pids) == "0"
                         and reads_waiting() == 1, 10),
              "its backend gone, the GETs wait again on a new connection", reads_waiting())
    answers = [got for got, _ in bg.join()]
    check(isinstance(answers[0], Response) and answers[0].status == 200, "the webhooks list -> 200",
          brief(answers[0]))
    for x, r in zip(pub, answers[1:]):
        check(isinstance(r, Response) and r.status == 200 and r.json.get("id") == x["id"],
              "GET /v1/articles/%d -> 200, its own article" % x["id"], brief(r))
    check(metric_value(srv, 'khabar_db_connects_total{pool="primary"}') > connects, "a new connection was made",
          metric_value(srv, 'khabar_db_connects_total{pool="primary"}'))


def test_batching_server_stops(batching):
    status, _ = batching.stop(30.0)
    check(status == 0, "the server exits 0", batching.log_tail(10))
