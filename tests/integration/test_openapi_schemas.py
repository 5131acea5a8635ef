"""openapi.yaml as the contract of every answer: it parses, each $ref resolves, its examples match their schemas, and real answers (successes and problems) match the schema of their operation and status."""
import os
import urllib.parse

import jsonschema
import pytest
import yaml

import harness
from harness import check, request
from articles_helpers import create

OPENAPI_YAML = os.path.join(harness.REPO_ROOT, "openapi.yaml")


@pytest.fixture(scope="module")
def spec():
    with open(OPENAPI_YAML, encoding="utf-8") as f:
        return yaml.safe_load(f)


def refs_in(node, path=""):
    """Every ($ref, where) in node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v, path
            else:
                yield from refs_in(v, path + "/" + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from refs_in(v, "%s/%d" % (path, i))


def resolve(spec, ref):
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def validator(spec, schema):
    """A JSON Schema 2020-12 validator of schema whose $refs point into spec."""
    resolver = jsonschema.RefResolver(base_uri="", referrer=spec)
    return jsonschema.Draft202012Validator(schema, resolver=resolver,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def errors_of(spec, schema, value):
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
            for e in validator(spec, schema).iter_errors(value)]


def test_refs_resolve(spec):
    missing = []
    for ref, where in refs_in(spec):
        try:
            resolve(spec, ref) if ref.startswith("#/") else missing.append((ref, where))
        except (KeyError, TypeError):
            missing.append((ref, where))
    check(not missing, "every $ref of openapi.yaml resolves", missing[:10])


def test_schemas_are_valid(spec):
    bad = []
    for name, schema in spec["components"]["schemas"].items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            bad.append((name, e.message))
    check(not bad, "every component schema is a valid JSON Schema 2020-12", bad)


def media_examples(spec):
    """(where, schema, example) for each example of a JSON body in the operations."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            bodies = [("request", op.get("requestBody", {}))]
            bodies += [("response %s" % st, r) for st, r in op.get("responses", {}).items()]
            for what, body in bodies:
                body = resolve(spec, body["$ref"]) if "$ref" in body else body
                for ctype, media in body.get("content", {}).items():
                    if "json" not in ctype or "schema" not in media:
                        continue
                    found = [media["example"]] if "example" in media else []
                    for ex in media.get("examples", {}).values():
                        ex = resolve(spec, ex["$ref"]) if "$ref" in ex else ex
                        found.append(ex.get("value"))
                    for value in found:
                        yield "%s %s %s %s" % (method.upper(), path, what, ctype), media["schema"], value


def test_examples_match_their_schemas(spec):
    seen, bad = 0, []
    for where, schema, value in media_examples(spec):
        seen += 1
        errs = errors_of(spec, schema, value)
        if errs:
            bad.append((where, errs[:3]))
    check(seen >= 10, "openapi.yaml has examples of JSON bodies to check (%d)" % seen, "")
    check(not bad, "each example matches its schema", bad[:5])


def response_schema(spec, method, path, status, ctype):
    op = spec["paths"][path][method]
    resp = op["responses"].get(str(status))
    if resp is None:
        return None
    resp = resolve(spec, resp["$ref"]) if "$ref" in resp else resp
    media = resp.get("content", {}).get(ctype)
    return (media or {}).get("schema")


def test_answers_match_their_operations(khabar, spec):
    """Real answers, successes and problems, each validated against its operation's schema."""
    a = create(harness.art("مقال العقد رقم 1", "نص **العقد**.", summary="ملخص", tags=["العقد"], sources=["وكالة العقد"],
                           image={"url": "https://cdn.example/a.jpg", "alt": "صورة"})).json
    b = create(harness.art("مقال العقد رقم 2", "نص ثان.", related=[a["id"]])).json
    tag = a["tags"][0]["slug"]
    gone = create(harness.art("مقال العقد المحذوف", "نص.")).json["id"]
    r = request("DELETE", "/v1/articles/%d" % gone, token=harness.TOKEN_1)
    check(r.status == 204, "an article deleted, for its revisions", r.brief())
    q = urllib.parse.quote
    request("POST", "/v1/authors", body={"name": "كاتب العقد", "slug": "contract-writer",
                                         "avatar": {"url": "https://cdn.example/w.jpg", "alt": "صورة"}},
            token=harness.TOKEN_1)
    request("POST", "/v1/sections", body={"name": "قسم العقد", "slug": "contract"}, token=harness.TOKEN_1)
    c = create(harness.art("مقال العقد رقم 4", "نص", authors=["contract-writer"], section="contract")).json
    request("PUT", "/v1/sections/contract/front", body=[c["id"]], token=harness.TOKEN_1)
    cases = [
        ("get", "/v1", "/v1", None),
        ("get", "/v1/articles", "/v1/articles?limit=2", None),
        ("get", "/v1/articles", "/v1/articles?q=" + q("العقد"), None),
        ("get", "/v1/articles", "/v1/articles?tag=" + q(tag), None),
        ("get", "/v1/articles", "/v1/articles?limit=0", None),
        ("get", "/v1/articles", "/v1/articles?tags=x", None),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % a["id"], None),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % b["id"], None),
        ("get", "/v1/articles/{article}", "/v1/articles/999999999", None),
        ("get", "/v1/articles/{article}/related", "/v1/articles/%d/related" % b["id"], None),
        ("get", "/v1/tags", "/v1/tags", None),
        ("get", "/v1/tags/{tag}", "/v1/tags/" + q(tag), None),
        ("get", "/v1/sources", "/v1/sources", None),
        ("get", "/v1/authors", "/v1/authors", None),
        ("get", "/v1/authors/{author}", "/v1/authors/contract-writer", None),
        ("get", "/v1/authors/{author}", "/v1/authors/nobody", None),
        ("get", "/v1/articles", "/v1/articles?author=contract-writer", None),
        ("get", "/v1/articles", "/v1/articles?section=contract", None),
        ("get", "/v1/sections", "/v1/sections", None),
        ("get", "/v1/sections/{section}", "/v1/sections/contract", None),
        ("get", "/v1/sections/{section}/front", "/v1/sections/contract/front", None),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % c["id"], None),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % c["id"], None, False, {"Accept": "application/ld+json"}),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % a["id"], None, False, {"Accept": "application/ld+json"}),
        ("get", "/v1/articles/{article}", "/v1/articles/%d" % a["id"], None, False, {"Accept": "text/html"}),
        ("get", "/v1/feeds/{format}", "/v1/feeds/json", None),
        ("get", "/v1/webhooks", "/v1/webhooks", None, True),
        ("post", "/v1/webhooks", "/v1/webhooks", {"url": "https://93.184.215.14/x", "events": ["article.published"]}),
        ("get", "/v1/webhooks/{webhook}", "/v1/webhooks/1", None, True),
        ("get", "/v1/feeds/{format}", "/v1/feeds/json?tag=" + q(tag), None),
        ("get", "/v1/feeds/{format}", "/v1/feeds/json?author=nobody", None),
        ("get", "/v1/feeds/{format}", "/v1/feeds/json?tag=a&section=b", None),
        ("post", "/v1/authors", "/v1/authors", {"name": "كاتب آخر للعقد"}),
        ("post", "/v1/authors", "/v1/authors", {"name": "كاتب", "avatar": {"url": "javascript:x"}}),
        ("post", "/v1/sections", "/v1/sections", {"name": "قسم آخر للعقد", "position": 3}),
        ("patch", "/v1/authors/{author}", "/v1/authors/contract-writer", {"bio": "سيرة قصيرة"}),
        ("patch", "/v1/sections/{section}", "/v1/sections/contract", {"description": "وصف"}),
        ("delete", "/v1/authors/{author}", "/v1/authors/contract-writer", None),
        ("delete", "/v1/sections/{section}", "/v1/sections/contract", None),
        ("put", "/v1/sections/{section}/front", "/v1/sections/contract/front", [999999]),
        ("get", "/healthz", "/healthz", None),
        ("get", "/readyz", "/readyz", None),
        ("post", "/v1/articles", "/v1/articles", {"title": "مقال العقد رقم 3", "body": "نص"}),
        ("post", "/v1/articles", "/v1/articles", {"title": "", "body": "نص", "image": {"url": "x"}}),
        ("post", "/v1/articles", "/v1/articles", "{not json"),
        ("patch", "/v1/articles/{article}", "/v1/articles/%d" % a["id"], {"summary": None}),
        # revisions: token holders' GETs, then a restore (a made `version` 2 just above)
        ("get", "/v1/articles/{article}/revisions", "/v1/articles/%d/revisions?limit=1" % a["id"], None, True),
        ("get", "/v1/articles/{article}/revisions", "/v1/articles/%d/revisions" % a["id"], None, False),
        ("get", "/v1/articles/{article}/revisions", "/v1/articles/999999999/revisions", None, True),
        ("get", "/v1/articles/{article}/revisions/{version}", "/v1/articles/%d/revisions/1" % a["id"], None, True),
        ("get", "/v1/articles/{article}/revisions/{version}", "/v1/articles/%d/revisions/9" % a["id"], None, True),
        ("post", "/v1/articles/{article}/revisions/{version}/restore",
         "/v1/articles/%d/revisions/1/restore" % a["id"], None),
        ("post", "/v1/articles/{article}/revisions/{version}/restore",
         "/v1/articles/%d/revisions/9/restore" % a["id"], None),
        ("get", "/v1/articles/{article}/revisions/{version}", "/v1/articles/%d/revisions/2" % gone, None, True),
        ("post", "/v1/articles/{article}/revisions/{version}/restore",
         "/v1/articles/%d/revisions/1/restore" % gone, None),
    ]
    bad, checked = [], 0
    for method, path, url, body, *more in cases:
        headers = {"Content-Type": "application/merge-patch+json"} if method == "patch" else None
        if len(more) > 1:
            headers = more[1]
        token = more[0] if more else method != "get"
        r = request(method.upper(), url, body=body, headers=headers, encoded=True,
                    token=harness.TOKEN_1 if token else None)
        ctype = (r.header("content-type") or "").split(";")[0].strip()
        schema = response_schema(spec, method, path, r.status, ctype)
        if schema is None:
            bad.append((method, url, r.status, ctype, "no schema in openapi.yaml for this status and type"))
            continue
        checked += 1
        errs = errors_of(spec, schema, r.json)
        if errs:
            bad.append((method, url, r.status, errs[:3]))
    check(not bad, "%d answers match the schema of their operation and status" % checked, bad[:6])


def test_validation_can_fail(spec):
    """The checks above are not blind: a wrong article and a wrong problem are refused."""
    article = resolve(spec, "#/components/schemas/Article")
    good = resolve(spec, "#/components/examples/Article")["value"]
    check(errors_of(spec, article, good) == [], "the Article example is valid", errors_of(spec, article, good))
    check(errors_of(spec, article, dict(good, unknown=1)) != [], "an unknown member is refused", "")
    check(errors_of(spec, article, dict(good, image={"url": "https://x.example/a"})) != [],
          "an image without alt is refused", "")
