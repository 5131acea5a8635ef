"""Tokens and roles: `khabar token create/list/revoke` (the token alone on stdout, only its hash stored), what a writer, an editor and an admin may do (403 naming the role, nothing changed), revocation on two instances at once and after the change channel was lost, API_TOKENS as editor tokens."""
import time

import harness
from harness import check, request, wait_until, TOKEN_1, TOKEN_2
from articles_helpers import create, expect_problem

_made = []


def make_token(khabar, role, name=None):
    """A new token of role from the CLI (stdout must be the token alone); returns (name, token)."""
    name = name or "%s-%d" % (role, len(_made) + 1)
    r = khabar.run_cli(["token", "create", name, "--role", role])
    check(r.returncode == 0, "token create %s exits 0" % name, r.stderr)
    token = r.stdout.strip()
    _made.append(name)
    return name, token


def works(srv, token):
    """True when srv takes token as valid (an editors' list answers 200)."""
    return srv.request("GET", "/v1/articles?status=draft&limit=1", token=token).status == 200


def article(aid, token=TOKEN_1):
    r = request("GET", "/v1/articles/%d" % aid, token=token)
    return r.json if r.status == 200 else None


def test_create_prints_the_token_alone(khabar):
    r = khabar.run_cli(["token", "create", "desk-one", "--role", "writer"])
    check(r.returncode == 0, "token create exits 0", r.stderr)
    lines = r.stdout.splitlines()
    check(len(lines) == 1 and r.stdout == lines[0] + "\n", "stdout is one line: the token", repr(r.stdout))
    token = lines[0] if lines else ""
    check(token.startswith("khb_") and len(token) == 47, "the token: khb_ and 43 base64url characters", token)
    check(token not in r.stderr and "desk-one" in r.stderr and "writer" in r.stderr,
          "stderr says what was made, never the token", r.stderr)
    other = khabar.run_cli(["token", "create", "desk-two", "--role", "writer"]).stdout.strip()
    check(other != token and other.startswith("khb_"), "two tokens differ", other)
    check(wait_until(lambda: works(khabar.server, token), 2), "the new token works", token)


def test_only_the_hash_is_stored(khabar):
    _, token = make_token(khabar, "editor")
    found = khabar.psql("SELECT count(*) FROM tokens t WHERE t::text LIKE '%%' || '%s' || '%%'"
                        " OR encode(t.hash, 'escape') LIKE '%%' || '%s' || '%%'" % (token, token))
    check(found == "0", "the token's text is in no row of tokens", found)
    digest = khabar.psql("SELECT count(*) FROM tokens WHERE hash = sha256(convert_to('%s', 'UTF8'))" % token)
    check(digest == "1", "its SHA-256 is stored", digest)
    anywhere = khabar.psql("SELECT count(*) FROM articles a WHERE a::text LIKE '%%%s%%'" % token)
    check(anywhere == "0", "nor anywhere else it could be written", anywhere)


def test_bad_names_and_roles_refused(khabar):
    before = khabar.psql("SELECT count(*) FROM tokens")
    for args, why in [(["create", "Bad Name", "--role", "writer"], "a name with a space and capitals"),
                      (["create", "env-3", "--role", "editor"], "an env-N name"),
                      (["create", "", "--role", "editor"], "an empty name"),
                      (["create", "good-name", "--role", "owner"], "an unknown role"),
                      (["create", "good-name"], "no role"),
                      (["frobnicate"], "an unknown subcommand")]:
        r = khabar.run_cli(["token"] + args)
        check(r.returncode != 0 and r.stdout == "" and r.stderr.strip() != "",
              "token %s: refused with a message on stderr (%s)" % (" ".join(args), why),
              "exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout, r.stderr))
    make_token(khabar, "writer", "taken-name")
    r = khabar.run_cli(["token", "create", "taken-name", "--role", "editor"])
    check(r.returncode != 0 and r.stdout == "" and "taken-name" in r.stderr, "a name taken is refused", r.stderr)
    r = khabar.run_cli(["token", "revoke", "no-such-token"])
    check(r.returncode != 0 and "no-such-token" in r.stderr, "revoking an unknown name fails", r.stderr)
    check(khabar.psql("SELECT count(*) FROM tokens") == str(int(before) + 1), "only the good one was stored")


def test_list_shows_tokens_without_secrets(khabar):
    name, token = make_token(khabar, "admin", "listed-admin")
    khabar.run_cli(["token", "revoke", name])
    r = khabar.run_cli(["token", "list"])
    check(r.returncode == 0, "token list exits 0", r.stderr)
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()[1:] if line.strip()}
    row = rows.get(name, [])
    check(len(row) == 4 and row[1] == "admin" and row[2][:4].isdigit() and row[3] != "-",
          "list: name, role, created, revoked", r.stdout)
    check("desk-one" in rows and rows["desk-one"][3] == "-", "a valid token shows no revocation", r.stdout)
    check(token not in r.stdout, "list never shows a token", r.stdout)


def expect_forbidden(r, name, role="editor"):
    expect_problem(r, 403, name, "/problems/forbidden")
    detail = (r.json or {}).get("detail", "") if isinstance(r.json, dict) else ""
    check("needs the %s role" % role in detail, "%s: the detail names the %s role" % (name, role), detail)


def test_writer_writes_drafts(khabar):
    _, w = make_token(khabar, "writer")
    check(wait_until(lambda: works(khabar.server, w), 2), "the writer's token works")
    r = request("POST", "/v1/articles", body=harness.art("مسودة كاتب", status="draft"), token=w)
    check(r.status == 201 and r.json["status"] == "draft", "a writer creates a draft", r.brief())
    aid = r.json["id"]
    r = request("PATCH", "/v1/articles/%d" % aid, body={"title": "مسودة كاتب معدلة"}, token=w,
                headers={"Content-Type": "application/merge-patch+json"})
    check(r.status == 200 and r.json["title"] == "مسودة كاتب معدلة", "a writer edits a draft (PATCH)", r.brief())
    r = request("PUT", "/v1/articles/%d" % aid, body=harness.art("مسودة كاتب ثالثة", status="draft"), token=w)
    check(r.status == 200 and r.json["status"] == "draft", "a writer replaces a draft (PUT)", r.brief())
    r = request("GET", "/v1/articles/%d" % aid, token=w)
    check(r.status == 200, "a writer reads a draft", r.brief())
    r = request("GET", "/v1/articles?status=draft", token=w)
    check(r.status == 200 and aid in [a["id"] for a in r.json["data"]], "a writer lists drafts", r.brief())


def test_writer_refused_anything_public(khabar):
    _, w = make_token(khabar, "writer")
    check(wait_until(lambda: works(khabar.server, w), 2), "the writer's token works")
    before = khabar.psql("SELECT count(*) FROM articles")
    r = request("POST", "/v1/articles", body=harness.art("خبر كاتب منشور"), token=w)
    expect_forbidden(r, "a writer creating a published article")
    check("publishing" in (r.json or {}).get("detail", ""), "the detail names publishing", r.brief())
    r = request("POST", "/v1/articles", body=harness.art("خبر كاتب مجدول", status="published",
                                                         published_at="2999-01-01T00:00:00Z"), token=w)
    expect_forbidden(r, "a writer scheduling an article")
    check("scheduling" in (r.json or {}).get("detail", ""), "the detail names scheduling", r.brief())
    check(khabar.psql("SELECT count(*) FROM articles") == before, "nothing was created")

    draft = create(harness.art("مسودة ينشرها كاتب", status="draft")).json
    r = request("PATCH", "/v1/articles/%d" % draft["id"], body={"status": "published"}, token=w,
                headers={"Content-Type": "application/merge-patch+json"})
    expect_forbidden(r, "a writer publishing a draft (PATCH)")
    r = request("PUT", "/v1/articles/%d" % draft["id"], body=harness.art("مسودة ينشرها كاتب"), token=w)
    expect_forbidden(r, "a writer publishing a draft (PUT without status: published)")
    r = request("PATCH", "/v1/articles/%d" % draft["id"], token=w,
                body={"status": "withdrawn", "withdrawn_reason": "خطأ"},
                headers={"Content-Type": "application/merge-patch+json"})
    expect_forbidden(r, "a writer withdrawing")
    check("withdrawing" in (r.json or {}).get("detail", ""), "the detail names withdrawing", r.brief())
    r = request("DELETE", "/v1/articles/%d" % draft["id"], token=w)
    expect_forbidden(r, "a writer deleting a draft")
    check(article(draft["id"]) == draft, "the draft is unchanged", article(draft["id"]))

    public = create(harness.art("خبر منشور لا يمسه كاتب")).json
    r = request("PATCH", "/v1/articles/%d" % public["id"], body={"title": "عنوان آخر"}, token=w,
                headers={"Content-Type": "application/merge-patch+json"})
    expect_forbidden(r, "a writer editing a published article")
    r = request("PATCH", "/v1/articles/%d" % public["id"], body={"status": "draft"}, token=w,
                headers={"Content-Type": "application/merge-patch+json"})
    expect_forbidden(r, "a writer turning a published article into a draft")
    r = request("PUT", "/v1/articles/%d" % public["id"], body=harness.art("عنوان", status="draft"), token=w)
    expect_forbidden(r, "a writer replacing a published article")
    r = request("DELETE", "/v1/articles/%d" % public["id"], token=w)
    expect_forbidden(r, "a writer deleting a published article")
    r = request("PUT", "/v1/articles/%d/related/%d" % (public["id"], draft["id"]), token=w)
    expect_forbidden(r, "a writer linking articles")
    check(article(public["id"]) == public, "the published article is unchanged", article(public["id"]))


def test_writer_refused_people_sections_and_fronts(khabar):
    """Authors, sections and section fronts are editors' to write: a writer gets 403 naming
    the editor role and nothing changes; an editor's same writes go through."""
    _, w = make_token(khabar, "writer")
    _, e = make_token(khabar, "editor")
    check(wait_until(lambda: works(khabar.server, w) and works(khabar.server, e), 2), "both tokens work")
    counts = lambda: khabar.psql("SELECT (SELECT count(*) FROM authors) || ' ' || (SELECT count(*) FROM sections)"
                                 " || ' ' || (SELECT count(*) FROM section_front)")
    before = counts()
    r = request("POST", "/v1/authors", body={"name": "كاتب بلا دور"}, token=w)
    expect_forbidden(r, "a writer creating an author")
    r = request("POST", "/v1/sections", body={"name": "قسم بلا دور"}, token=w)
    expect_forbidden(r, "a writer creating a section")
    check(counts() == before, "no author or section was made", counts())
    r = request("POST", "/v1/authors", body={"name": "كاتبة المحررين"}, token=e)
    check(r.status == 201, "an editor creates an author", r.brief())
    author = r.json["slug"]
    r = request("POST", "/v1/sections", body={"name": "قسم المحررين"}, token=e)
    check(r.status == 201, "an editor creates a section", r.brief())
    section = r.json["slug"]
    pinned = create(harness.art("خبر مثبت في القسم")).json["id"]
    for method, path, body, what in [
            ("PATCH", "/v1/authors/%s" % author, {"bio": "سيرة"}, "patching an author"),
            ("DELETE", "/v1/authors/%s" % author, None, "deleting an author"),
            ("PATCH", "/v1/sections/%s" % section, {"description": "وصف"}, "patching a section"),
            ("DELETE", "/v1/sections/%s" % section, None, "deleting a section"),
            ("PUT", "/v1/sections/%s/front" % section, [pinned], "pinning on a front")]:
        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else None
        before = counts()
        r = request(method, path, body=body, token=w, headers=headers)
        expect_forbidden(r, "a writer " + what)
        check(counts() == before, "nothing changed after a writer's " + what, counts())
    r = request("PUT", "/v1/sections/%s/front" % section, body=[pinned], token=e)
    check(r.status in (200, 204), "an editor pins on a front", r.brief())


def test_writer_restores_drafts_only(khabar):
    """A restore is a write: a writer restores a draft's revision, not a published article's."""
    _, w = make_token(khabar, "writer")
    check(wait_until(lambda: works(khabar.server, w), 2), "the writer's token works")
    draft = request("POST", "/v1/articles", body=harness.art("مسودة أولى", status="draft"), token=w).json
    r = request("PATCH", "/v1/articles/%d" % draft["id"], body={"title": "مسودة ثانية"}, token=w,
                headers={"Content-Type": "application/merge-patch+json"})
    check(r.status == 200, "a writer edits its draft", r.brief())
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % draft["id"], token=w)
    check(r.status == 200 and r.json["title"] == "مسودة أولى" and r.json["status"] == "draft",
          "a writer restores a draft's first version", r.brief())
    public = create(harness.art("خبر منشور بنسختين")).json
    r = request("PATCH", "/v1/articles/%d" % public["id"], body={"title": "خبر منشور معدل"}, token=TOKEN_1,
                headers={"Content-Type": "application/merge-patch+json"})
    check(r.status == 200, "an editor edits the published article", r.brief())
    now = article(public["id"])
    r = request("POST", "/v1/articles/%d/revisions/1/restore" % public["id"], token=w)
    expect_forbidden(r, "a writer restoring a published article")
    check(article(public["id"]) == now, "the published article is unchanged", article(public["id"]))
    revisions = request("GET", "/v1/articles/%d/revisions" % public["id"], token=TOKEN_1).json["data"]
    check(len(revisions) == 2, "and no revision was added", len(revisions))


def test_editor_and_admin_may(khabar):
    for role in ("editor", "admin"):
        _, t = make_token(khabar, role)
        check(wait_until(lambda: works(khabar.server, t), 2), "the %s's token works" % role)
        r = request("POST", "/v1/articles", body=harness.art("مسودة %s" % role, status="draft"), token=t)
        check(r.status == 201, "%s: creates a draft" % role, r.brief())
        aid = r.json["id"]
        r = request("PATCH", "/v1/articles/%d" % aid, body={"status": "published"}, token=t,
                    headers={"Content-Type": "application/merge-patch+json"})
        check(r.status == 200 and r.json["status"] == "published", "%s: publishes" % role, r.brief())
        r = request("PATCH", "/v1/articles/%d" % aid, body={"title": "منشور معدل %s" % role}, token=t,
                    headers={"Content-Type": "application/merge-patch+json"})
        check(r.status == 200, "%s: edits a published article" % role, r.brief())
        r = request("PATCH", "/v1/articles/%d" % aid, token=t,
                    body={"status": "withdrawn", "withdrawn_reason": "خطأ في النشر"},
                    headers={"Content-Type": "application/merge-patch+json"})
        check(r.status == 200 and r.json["status"] == "withdrawn", "%s: withdraws" % role, r.brief())
        r = request("POST", "/v1/articles", body=harness.art("مجدول %s" % role,
                                                             published_at="2999-01-01T00:00:00Z"), token=t)
        check(r.status == 201, "%s: schedules" % role, r.brief())
        r = request("DELETE", "/v1/articles/%d" % aid, token=t)
        check(r.status == 204 and article(aid) is None, "%s: deletes" % role, r.brief())


def test_api_tokens_are_editors(khabar):
    for t in (TOKEN_1, TOKEN_2):
        r = request("POST", "/v1/articles", body=harness.art("خبر برمز البيئة"), token=t)
        check(r.status == 201 and r.json["status"] == "published", "an API_TOKENS token publishes", r.brief())
        r = request("DELETE", "/v1/articles/%d" % r.json["id"], token=t)
        check(r.status == 204, "an API_TOKENS token deletes", r.brief())
    r = request("POST", "/v1/articles", body=harness.art("خبر برمز خاطئ"), token="test-token-3")
    expect_problem(r, 401, "an unknown token", "/problems/unauthorized")
    r = request("POST", "/v1/articles", body=harness.art("خبر برمز شبيه"), token="khb_" + "A" * 43)
    expect_problem(r, 401, "a made-up token of the right form", "/problems/unauthorized")


def test_revoke_on_two_instances_within_a_second(khabar, start_server):
    a, b = khabar.server, start_server(name="second")
    name, t = make_token(khabar, "editor")
    check(wait_until(lambda: works(a, t) and works(b, t), 2), "the token works on both instances")
    r = khabar.run_cli(["token", "revoke", name])
    check(r.returncode == 0 and r.stdout == "", "token revoke exits 0, nothing on stdout", r.stderr)
    t0 = time.monotonic()
    gone = wait_until(lambda: not works(a, t) and not works(b, t), 1.0)
    check(gone, "refused on both instances within a second", "%.2f s" % (time.monotonic() - t0))
    for srv in (a, b):
        r = srv.request("POST", "/v1/articles", body=harness.art("خبر برمز ملغى"), token=t)
        expect_problem(r, 401, "%s: a revoked token writes nothing" % srv.name, "/problems/unauthorized")
    r = khabar.run_cli(["token", "revoke", name])
    check(r.returncode != 0, "revoking it again fails: it is not valid any more", r.stderr)


def listeners(khabar):
    return khabar.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'khabar-changes'")


def test_revoke_after_the_listener_was_lost(khabar, start_server):
    a, b = khabar.server, start_server(name="third")
    name, t = make_token(khabar, "writer")
    check(wait_until(lambda: works(a, t) and works(b, t), 2), "the token works on both instances")
    before = [harness.metric_value(s, "khabar_changes_connects_total") for s in (a, b)]
    khabar.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'khabar-changes'")
    check(wait_until(lambda: all((harness.metric_value(s, "khabar_changes_connects_total") or 0) > n
                                 for s, n in zip((a, b), before)), 5),
          "both listeners connect again", before)
    check(all(harness.metric_value(s, "khabar_tokens_known") == 1 for s in (a, b)),
          "both know the database's tokens again")
    loads = harness.metric_value(a, "khabar_token_loads_total")
    khabar.run_cli(["token", "revoke", name])
    check(wait_until(lambda: not works(a, t) and not works(b, t), 1.0),
          "the revocation takes effect on both after the listener came back")
    check(harness.metric_value(a, "khabar_token_loads_total") > loads, "the revocation made a reading")

    # A revocation while the listener is down is read when it comes back.
    name2, t2 = make_token(khabar, "writer")
    check(wait_until(lambda: works(a, t2), 2), "a second token works")
    khabar.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'khabar-changes';"
                " UPDATE tokens SET revoked_at = now() WHERE name = '%s'" % name2)
    check(wait_until(lambda: a.request("GET", "/v1/articles?status=draft", token=t2).status == 401, 2),
          "a revocation made as the listener was lost takes effect once it is back")
    check(works(a, TOKEN_1), "API_TOKENS work throughout")
