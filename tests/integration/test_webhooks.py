"""Webhooks: admins register endpoints (/v1/webhooks: URL, events, the secret shown once) for
article.published (also when a scheduled article goes live), article.updated, article.withdrawn
and article.deleted; each event is written in the change's own transaction, delivered signed by
the Standard Webhooks convention (checked by the receiver), retried with backoff while the
receiver answers 500, times out, closes the connection or is down, by one instance at a time and
in order per article; an endpoint that keeps failing is disabled with its last error shown, and
enabled again resumes; addresses inside the network are refused at registration and at delivery
unless WEBHOOK_ALLOW_PRIVATE; bad input changes nothing; /metrics counts it all."""
import time

import pytest

import harness
from harness import TOKEN_1, check, request
from articles_helpers import create, expect_problem
from webhook_receiver import Receiver

EVENTS = ["article.published", "article.updated", "article.withdrawn", "article.deleted"]
MERGE = {"Content-Type": "application/merge-patch+json"}
# Deliveries are retried from about a second: what each test waits for a receiver to see.
DELIVERY_WAIT_S = 15


@pytest.fixture(scope="module")
def admin(khabar):
    r = khabar.run_cli(["token", "create", "webhook-admin", "--role", "admin"])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def replace_main(khabar, **settings):
    """The default server stopped and started again with settings (every instance delivers: a
    second one with other settings would take deliveries too)."""
    khabar.server.stop()
    srv = khabar.start_server(extra={k: str(v) for k, v in settings.items()}, name="main-%d" % len(khabar.servers))
    khabar.server = srv
    harness._default_server = srv
    return srv


@pytest.fixture(scope="module")
def sender(khabar):
    """The default server (khabar.server) made one that may deliver to receivers on this
    machine, and fast; a test that replaces it puts such a one back."""
    replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000")


def register(srv, admin, url, events=EVENTS, **more):
    r = srv.request("POST", "/v1/webhooks", body=dict({"url": url, "events": events}, **more), token=admin)
    assert r.status == 201, r.brief()
    return r.json


def drop_all(srv, admin):
    for w in srv.request("GET", "/v1/webhooks", token=admin).json["data"]:
        srv.request("DELETE", "/v1/webhooks/%d" % w["id"], token=admin)


def wait_for(fn, seconds=DELIVERY_WAIT_S):
    return harness.wait_until(fn, seconds)


def test_registration(khabar, admin):
    body = {"url": "https://93.184.215.14/khabar", "events": ["article.published"], "description": "مراقب"}
    expect_problem(request("POST", "/v1/webhooks", body=body), 401, "registering needs a token")
    r = request("POST", "/v1/webhooks", body=body, token=TOKEN_1)
    expect_problem(r, 403, "an editor may not register webhooks")
    check("admin" in (r.json or {}).get("detail", ""), "the 403 names the admin role", r.json)
    expect_problem(request("GET", "/v1/webhooks", token=TOKEN_1), 403, "nor list them")
    r = request("POST", "/v1/webhooks", body={"url": "http://127.0.0.1:9/x", "events": ["article.published"]},
                token=admin)
    expect_problem(r, 422, "a loopback URL is refused without WEBHOOK_ALLOW_PRIVATE")
    check("inside the network" in str(r.json), "the refusal says why", r.json)
    for url in ("http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/x",
                "http://localhost/x", "http://[fd00::1]/x", "http://192.168.1.1/x", "http://0.0.0.0/x"):
        r = request("POST", "/v1/webhooks", body={"url": url, "events": ["article.published"]}, token=admin)
        expect_problem(r, 422, "%s is refused" % url)
    created = register(khabar.server, admin, body["url"], body["events"], description=body["description"])
    check(created.get("secret", "").startswith("whsec_") and created.get("enabled") is True and
          created.get("pending") == 0, "201 shows the secret, once", created)
    r = request("GET", "/v1/webhooks/%d" % created["id"], token=admin)
    check(r.status == 200 and "secret" not in r.json and r.json["url"] == body["url"] and
          r.header("Cache-Control") == "private, no-store", "GET shows it without its secret, never cached", r.json)
    listed = request("GET", "/v1/webhooks", token=admin).json["data"]
    check([w["id"] for w in listed] == [created["id"]] and all("secret" not in w for w in listed),
          "the list holds it, without secrets", listed)
    r = request("PATCH", "/v1/webhooks/%d" % created["id"], body={"events": EVENTS, "description": None},
                headers=MERGE, token=admin)
    check(r.status == 200 and r.json["events"] == EVENTS and r.json["description"] is None,
          "a merge patch changes its events and clears its description", r.brief())
    check(request("DELETE", "/v1/webhooks/%d" % created["id"], token=admin).status == 204, "DELETE answers 204")
    expect_problem(request("GET", "/v1/webhooks/%d" % created["id"], token=admin), 404, "it is gone")


def test_bad_input_changes_nothing(khabar, admin):
    good = {"url": "https://93.184.215.14/x", "events": ["article.published"]}
    bad = [({"events": ["article.published"]}, "url"), ({"url": "https://93.184.215.14/x"}, "events"),
           (dict(good, url="ftp://93.184.215.14/x"), "url"), (dict(good, url="93.184.215.14"), "url"),
           (dict(good, url="https://" + "a" * 2100 + ".com/"), "url"), (dict(good, events=[]), "events"),
           (dict(good, events=["article.created"]), "events"), (dict(good, events=["article.published"] * 2), "events"),
           (dict(good, events="article.published"), "events"), (dict(good, secret="whsec_x"), "secret"),
           (dict(good, enabled=False), "enabled"), (dict(good, colour="red"), "colour"),
           (dict(good, description="و" * 501), "description"),
           (dict(good, url="https://no-such-host.invalid/x"), "url")]
    for body, field in bad:
        r = request("POST", "/v1/webhooks", body=body, token=admin)
        expect_problem(r, 422, "POST with a bad %s" % field, "/problems/validation-failed")
    r = request("POST", "/v1/webhooks", body=b"{not json", token=admin, headers={"Content-Type": "application/json"})
    expect_problem(r, 400, "a body that is not JSON")
    check(request("GET", "/v1/webhooks", token=admin).json["data"] == [], "nothing was registered", "")
    w = register(khabar.server, admin, good["url"], good["events"])
    for body in ({"enabled": "yes"}, {"url": None}, {"events": []}, {"id": 5}):
        r = request("PATCH", "/v1/webhooks/%d" % w["id"], body=body, headers=MERGE, token=admin)
        expect_problem(r, 422, "PATCH %s" % body)
    check(request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json["events"] == good["events"],
          "the refused patches changed nothing", "")
    for path in ("/v1/webhooks/999999", "/v1/webhooks/abc", "/v1/webhooks/0"):
        expect_problem(request("GET", path, token=admin), 404, "GET %s" % path)
        expect_problem(request("DELETE", path, token=admin), 404, "DELETE %s" % path)
    drop_all(khabar.server, admin)


def test_each_event_delivered_signed(khabar, admin, sender):
    rx = Receiver()
    w = register(khabar.server, admin, rx.url)
    rx.secret = w["secret"]
    try:
        a = create(harness.art("خبر للخطافات", tags=["خطاف"])).json
        check(wait_for(lambda: rx.events("article.published", a["id"])), "a new public article is article.published",
              rx.received)
        request("PATCH", "/v1/articles/%d" % a["id"], body={"title": "خبر للخطافات بعد التعديل"}, headers=MERGE,
                token=TOKEN_1)
        check(wait_for(lambda: rx.events("article.updated", a["id"])), "an edit is article.updated", rx.received)
        request("PATCH", "/v1/articles/%d" % a["id"], body={"status": "withdrawn", "withdrawn_reason": "خطأ"},
                headers=MERGE, token=TOKEN_1)
        check(wait_for(lambda: rx.events("article.withdrawn", a["id"])), "a withdrawal is article.withdrawn", rx.received)
        request("DELETE", "/v1/articles/%d" % a["id"], token=TOKEN_1)
        check(wait_for(lambda: rx.events("article.deleted", a["id"])), "a delete is article.deleted", rx.received)
        got = rx.events(article=a["id"])
        check([e["type"] for e in got] == EVENTS, "exactly one event each, in order", [e["type"] for e in got])
        check(all(e["signed"] and e["content_type"] == "application/json" and e["id"].startswith("msg_")
                  for e in got), "each is signed by the Standard Webhooks convention (checked by the receiver)", got)
        check(len({e["id"] for e in got}) == 4 and all(abs(int(e["timestamp"]) - time.time()) < 60 for e in got),
              "each has its own webhook-id and a current webhook-timestamp", got)
        first = got[0]["data"]
        check(first.get("title") == "خبر للخطافات" and first.get("status") == "published" and
              first.get("url", "").endswith("/v1/articles/" + harness.urllib.parse.quote(a["slug"], safe="")),
              "data names the article as it was then, with its canonical url", first)
        draft = create(harness.art("مسودة لا تعلن", status="draft")).json
        time.sleep(1.5)
        check(rx.events(article=draft["id"]) == [], "a draft is no event", rx.events(article=draft["id"]))
    finally:
        rx.down()
        drop_all(khabar.server, admin)


def article_events(rx, aid):
    return [e["type"] for e in rx.events(article=aid)]


def test_scheduled_article_is_published_when_it_goes_live(khabar, admin, sender):
    rx = Receiver()
    rx.secret = register(khabar.server, admin, rx.url, ["article.published"])["secret"]
    try:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        a = create(harness.art("خبر مجدول للخطاف", published_at=when)).json
        time.sleep(1.5)
        check(rx.events(article=a["id"]) == [], "nothing before its time", rx.received)
        check(wait_for(lambda: rx.events("article.published", a["id"])), "article.published once it goes live", "")
        check(rx.events(article=a["id"])[0]["signed"], "signed like any other", "")
    finally:
        rx.down()
        drop_all(khabar.server, admin)


def test_a_failed_write_has_no_event(khabar, admin, sender):
    rx = Receiver()
    rx.secret = register(khabar.server, admin, rx.url)["secret"]
    try:
        a = create(harness.art("خبر أصلي للخطاف", slug="original-hook")).json
        check(wait_for(lambda: rx.events("article.published", a["id"])), "the first write's event", "")
        before = len(rx.received)
        last_event = harness.psql(khabar.pg.url, "SELECT max(id) FROM webhook_events").strip()
        expect_problem(request("POST", "/v1/articles", body=harness.art("نسخة", slug="original-hook"), token=TOKEN_1),
                       409, "a taken slug")
        expect_problem(request("POST", "/v1/articles", body={"title": ""}, token=TOKEN_1), 422, "an invalid article")
        r = request("PATCH", "/v1/articles/%d" % a["id"], body={"title": "لن يكتب"}, token=TOKEN_1,
                    headers=dict(MERGE, **{"If-Match": '"0000000000000000"'}))
        expect_problem(r, 412, "an edit of another version")
        r = request("PATCH", "/v1/articles/%d" % a["id"], body={"status": "withdrawn"}, token=TOKEN_1, headers=MERGE)
        expect_problem(r, 422, "a withdrawal without its reason")
        time.sleep(2.5)
        check(len(rx.received) == before, "no refused write left an event", rx.received[before:])
        queued = harness.psql(khabar.pg.url, "SELECT count(*) FROM webhook_events WHERE id > %s" % last_event).strip()
        check(queued == "0", "nor any outbox row", queued)
    finally:
        rx.down()
        drop_all(khabar.server, admin)


@pytest.mark.parametrize("failure", ["fail", "slow", "close", "down"])
def test_retried_until_the_receiver_answers(khabar, admin, sender, failure):
    """A receiver that answers 500, takes longer than WEBHOOK_TIMEOUT, closes the connection
    without answering, or is not there at all, gets the event once it answers again."""
    rx = Receiver(mode="ok" if failure == "down" else failure, slow_s=2.0)
    w = register(khabar.server, admin, rx.url)
    rx.secret = w["secret"]
    if failure == "down":
        rx.down()
    try:
        a = create(harness.art("خبر يعاد إرساله %s" % failure)).json
        seen_error = wait_for(lambda: (request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json or {})
                              .get("last_error"), 8)
        state = request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json
        check(seen_error and state["enabled"] and state["pending"] >= 1,
              "%s: the error is shown, the delivery still pending" % failure, state)
        if failure == "down":
            rx.up()
        rx.mode = "ok"
        check(wait_for(lambda: rx.events("article.published", a["id"])), "%s: delivered once it answers" % failure,
              rx.received)
        tries = [e for e in rx.received if e["data"].get("id") == a["id"]]
        check(failure == "down" or len(tries) >= 2, "%s: it was tried more than once" % failure, len(tries))
        check(len({e["id"] for e in tries}) == 1, "%s: every try is the same message (one webhook-id)" % failure,
              {e["id"] for e in tries})
        check(wait_for(lambda: request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json["pending"] == 0, 5),
              "%s: nothing left pending" % failure, "")
    finally:
        rx.down()
        drop_all(khabar.server, admin)


def test_one_articles_events_arrive_in_order(khabar, admin, sender):
    rx = Receiver(mode="fail")
    rx.secret = register(khabar.server, admin, rx.url, ["article.updated"])["secret"]
    try:
        a = create(harness.art("خبر يعدل مرارا")).json
        for i in range(6):
            r = request("PATCH", "/v1/articles/%d" % a["id"], body={"summary": "نسخة %d" % i}, headers=MERGE,
                        token=TOKEN_1)
            assert r.status == 200, r.brief()
        time.sleep(2)  # the first is being retried meanwhile; the others wait behind it
        rx.mode = "ok"
        check(wait_for(lambda: len(rx.events("article.updated", a["id"])) >= 6), "all six edits delivered",
              len(rx.events("article.updated", a["id"])))
        versions = [e["data"]["version"] for e in rx.events("article.updated", a["id"])]
        check(versions == sorted(versions) and len(set(versions)) == 6, "in the order they were written", versions)
    finally:
        rx.down()
        drop_all(khabar.server, admin)


def test_an_endpoint_that_keeps_failing_is_disabled_then_resumed(khabar, admin):
    srv = replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000", WEBHOOK_RETRY_SECONDS="3")
    rx = Receiver(mode="fail")
    w = register(srv, admin, rx.url)
    rx.secret = w["secret"]
    try:
        a = create(harness.art("خبر لمستقبل معطل")).json
        off = wait_for(lambda: request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json["enabled"] is False, 20)
        state = request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json
        check(off and "3 s" in (state.get("disabled_reason") or "") and state.get("last_error") ==
              "the receiver answered 500" and state.get("last_error_at"),
              "after WEBHOOK_RETRY_SECONDS of failures it is disabled, with its last error", state)
        b = create(harness.art("خبر أثناء التعطيل")).json
        rx.mode = "ok"
        time.sleep(1.5)
        check(rx.events(article=b["id"]) == [], "a disabled endpoint is sent nothing", "")
        check(request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json["pending"] == 1,
              "what it misses waits for it (the one given up on is not pending)", request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json)
        r = request("PATCH", "/v1/webhooks/%d" % w["id"], body={"enabled": True}, headers=MERGE, token=admin)
        check(r.status == 200 and r.json["enabled"] and r.json["disabled_reason"] is None, "enabled again", r.brief())
        check(wait_for(lambda: rx.events("article.published", a["id"]) and rx.events("article.published", b["id"])),
              "it then gets what it missed, the given-up event too", [e["data"].get("id") for e in rx.delivered()])
        state = request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json
        check(state.get("last_success_at"), "its last success is shown", state)
    finally:
        rx.down()
        drop_all(srv, admin)
        replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000")


def test_two_instances_deliver_each_event_once(khabar, admin, sender):
    other = khabar.start_server(extra={"WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_TIMEOUT": "1000"}, name="second")
    rx = Receiver()
    rx.secret = register(khabar.server, admin, rx.url, ["article.published"])["secret"]
    try:
        made = [create(harness.art("خبر لمثيلين %d" % i)).json["id"] for i in range(30)]
        check(wait_for(lambda: {e["data"]["id"] for e in rx.delivered()} >= set(made)), "every event delivered", "")
        time.sleep(1)
        ids = [e["id"] for e in rx.received if e["data"].get("id") in made]
        check(len(ids) == 30 and len(set(ids)) == 30, "each exactly once, though two instances send", len(ids))
    finally:
        other.stop()
        rx.down()
        drop_all(khabar.server, admin)


def test_refused_at_delivery_when_the_address_is_inside(khabar, admin, sender):
    """A name re-pointed inside the network after registration is caught when sending: here, an
    instance without WEBHOOK_ALLOW_PRIVATE finds the endpoint another one registered."""
    rx = Receiver()
    w = register(khabar.server, admin, rx.url)
    strict = replace_main(khabar)
    try:
        create(harness.art("خبر لعنوان داخلي"))
        seen = wait_for(lambda: "inside the network" in (request("GET", "/v1/webhooks/%d" % w["id"], token=admin)
                                                        .json.get("last_error") or ""), 10)
        check(seen and rx.received == [], "the delivery is refused before connecting, and says why",
              (request("GET", "/v1/webhooks/%d" % w["id"], token=admin).json, rx.received))
    finally:
        rx.down()
        drop_all(strict, admin)
        replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000")


def test_metrics_count_deliveries(khabar, admin, sender):
    text = request("GET", "/metrics").text
    for line in ('khabar_webhook_deliveries_total{outcome="delivered"}', 'khabar_webhook_deliveries_total{outcome="failed"}',
                 'khabar_webhook_deliveries_total{outcome="gave_up"}', "khabar_webhook_queue_depth",
                 "khabar_webhook_oldest_undelivered_seconds"):
        check(line in text, "/metrics has %s" % line, "")
    rx = Receiver(mode="fail")
    rx.secret = register(khabar.server, admin, rx.url, ["article.published"])["secret"]
    try:
        create(harness.art("خبر للعدادات"))
        check(wait_for(lambda: harness.metric_value(khabar.server, 'khabar_webhook_deliveries_total{outcome="failed"}') >= 1, 8),
              "failed attempts are counted", "")
        check(wait_for(lambda: harness.metric_value(khabar.server, "khabar_webhook_queue_depth") >= 1, 8),
              "the waiting delivery is in the queue depth", "")
        rx.mode = "ok"
        check(wait_for(lambda: harness.metric_value(khabar.server, 'khabar_webhook_deliveries_total{outcome="delivered"}') >= 1),
              "delivered ones are counted", "")
        check(wait_for(lambda: harness.metric_value(khabar.server, "khabar_webhook_queue_depth") == 0, 8),
              "and the queue empties", "")
    finally:
        rx.down()
        drop_all(khabar.server, admin)


def test_nothing_lost_when_khabar_is_killed_and_postgresql_restarts(khabar, admin, sender):
    """Writers keep writing through two instances while one is killed with SIGKILL (deliveries
    in flight) and PostgreSQL restarts: every article that was written has its event delivered
    at least once, signed; every acknowledged write was written; no event names an article that
    was not (a failed write has none)."""
    import threading
    other = khabar.start_server(extra={"WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_TIMEOUT": "1000"}, name="survivor")
    rx = Receiver(mode="slow", slow_s=0.3)
    rx.secret = register(khabar.server, admin, rx.url, ["article.published"])["secret"]
    acknowledged, failed, stop = [], [], threading.Event()
    first = int(harness.psql(khabar.pg.url, "SELECT COALESCE(max(id), 0) FROM articles").strip())

    def write(srv_of):
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = harness.send(srv_of(), "POST", "/v1/articles", body=harness.art("خبر تحت الضغط %d %d" % (id(srv_of), i)),
                                 token=TOKEN_1, timeout=5)
                (acknowledged if r.status == 201 else failed).append(r.json["id"] if r.status == 201 else r.status)
            except Exception as e:  # noqa: BLE001 - a killed server or a restarting database
                failed.append(repr(e)[:60])
            time.sleep(0.02)

    writers = [threading.Thread(target=write, args=(lambda: khabar.server,)),
               threading.Thread(target=write, args=(lambda: other,))]
    try:
        for t in writers:
            t.start()
        time.sleep(2)
        khabar.server.proc.kill()  # SIGKILL, with deliveries in flight
        khabar.server.proc.wait()
        time.sleep(1)
        khabar.pg.stop()
        time.sleep(1)
        khabar.pg.start()
        replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000")
        time.sleep(2)
        stop.set()
        for t in writers:
            t.join()
        written = {int(x) for x in harness.psql(khabar.pg.url, "SELECT id FROM articles WHERE id > %d" % first).split()}
        check(set(acknowledged) <= written and len(acknowledged) > 20,
              "every acknowledged write was written (%d acknowledged, %d refused or cut)" % (len(acknowledged), len(failed)),
              set(acknowledged) - written)
        check(any(isinstance(f, int) and f == 503 for f in failed) or failed, "writes were refused meanwhile", failed[:5])
        rx.mode = "ok"
        got = lambda: {e["data"]["id"] for e in rx.delivered() if e["data"].get("id", 0) > first}  # noqa: E731
        check(wait_for(lambda: got() >= written, 40), "every written article's event was delivered",
              sorted(written - got())[:10])
        check(got() <= written, "no event for an article that was not written", sorted(got() - written)[:10])
        check(all(e["signed"] for e in rx.delivered()), "every delivery was signed", "")
    finally:
        stop.set()
        other.stop()
        rx.down()
        drop_all(khabar.server, admin)


def test_a_burst_of_writes_to_two_endpoints(khabar, admin, sender):
    """Eight writers at once for a few seconds, two endpoints taking every event (as make bench
    writes) and slow to answer, so that deliveries pile up and both workers claim batches of
    them at once: the instance stays up, and each endpoint gets each event exactly once."""
    import threading
    rxs = [Receiver(mode="slow", slow_s=0.01), Receiver(mode="slow", slow_s=0.01)]
    for rx in rxs:
        rx.secret = register(khabar.server, admin, rx.url, ["article.published"])["secret"]
    made, stop = [], threading.Event()

    def write(n):
        i = 0
        while not stop.is_set():
            i += 1
            r = harness.send(khabar.server, "POST", "/v1/articles", body=harness.art("خبر الدفعة %d %d" % (n, i)),
                             token=TOKEN_1)
            if r.status == 201:
                made.append(r.json["id"])

    writers = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    try:
        for t in writers:
            t.start()
        time.sleep(4)
        stop.set()
        for t in writers:
            t.join()
        check(khabar.server.alive() and len(made) > 50, "the instance took %d writes and stays up" % len(made),
              khabar.server.log_tail(5))
        for k, rx in enumerate(rxs):
            check(wait_for(lambda: {e["data"]["id"] for e in rx.delivered()} >= set(made), 60),
                  "endpoint %d got every event" % (k + 1), len(set(made) - {e["data"]["id"] for e in rx.delivered()}))
            ids = [e["data"]["id"] for e in rx.delivered()]
            check(len(ids) == len(set(ids)), "endpoint %d got each once" % (k + 1), len(ids) - len(set(ids)))
    finally:
        stop.set()
        for rx in rxs:
            rx.down()
        if khabar.server.alive():
            drop_all(khabar.server, admin)
        else:
            replace_main(khabar, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_TIMEOUT="1000")
            drop_all(khabar.server, admin)
