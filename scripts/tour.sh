#!/usr/bin/env bash
# tour.sh: the README's "A tour with curl", run against the khabar at $B with $TOKEN; stops, naming the step, at the first answer that differs from the README's.
#
# B defaults to http://localhost:8080; TOKEN is one of the server's API_TOKENS (make run prints
# "export TOKEN=..."); KHABAR (default build/khabar) makes tokens with roles in the database at
# DATABASE_URL. Every id comes from an answer before it, so the tour runs again and again.
# The README shows the commands below the "the tour" line, without the expect lines.
set -euo pipefail

B=${B:-http://localhost:8080}
KHABAR=${KHABAR:-build/khabar}
if [ -z "${TOKEN:-}" ]; then
    echo "tour: TOKEN is not set: paste the 'export TOKEN=...' line that make run prints" >&2
    exit 2
fi
command -v jq >/dev/null 2>&1 || { echo "tour: jq is missing (make deps, or apt-get install jq)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/answer"
: >"$tmp/status"
echo "(before the first step)" >"$tmp/where"

# Says where and why the tour stopped, once (a step inside $(...) fails in a subshell first).
fail() {
    if [ ! -e "$tmp/failed" ]; then
        : >"$tmp/failed"
        echo >&2
        echo "tour: FAILED at $(tr '\n' ' ' <"$tmp/where" | tr -s ' ')" >&2
        echo "tour: $*" >&2
        echo "tour: the answer began: $(head -c 400 "$tmp/answer")" >&2
    fi
    exit 1
}
trap 'fail "the step exited with status $?"' ERR

# curl as the README runs it, keeping the answer and its HTTP status for expect.
curl() {
    local status
    printf 'tour.sh line %s: curl %s\n' "${BASH_LINENO[0]}" "$*" >"$tmp/where"
    printf '\n$ curl %s\n' "$*" >&2
    set +e
    command curl -w '%{stderr}%{http_code}\n' "$@" 2>"$tmp/status" | tee -p "$tmp/answer"
    status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] || fail "curl exited with status $status (is khabar running at $B?)"
}

# Fails the tour unless the last answer had status $1 and holds each further argument.
expect() {
    local want=$1 got text
    shift
    got=$(tail -n 1 "$tmp/status")
    [ "$got" = "$want" ] || fail "the status was $got, not $want"
    for text in "$@"; do
        grep -qF -- "$text" "$tmp/answer" || fail "the answer does not hold: $text"
    done
}

# Fails the tour unless value $1 (taken from an answer) matches the extended regex $2.
expect_value() {
    [[ $1 =~ $2 ]] || fail "took '$1' from the answer, which is not like $2"
}

# ---- the tour
# the index: every resource, and where the contract is
curl -s "$B/v1"
expect 200 '"/v1/articles"' '"/openapi.yaml"'

# the newest articles (summaries, without body), then the next page from next_cursor
curl -si "$B/v1/articles?limit=1"            # Link: </v1/articles?limit=1&cursor=...>; rel="next"
expect 200 'rel="next"' '"next_cursor":"'

# filters combine: a tag (slug or name, any spelling), a source, a date range, a language
curl -s "$B/v1/articles?tag=کوریا-الشمالیة&source=تاس&from=2024-05-01T00:00:00Z&to=2024-05-31T23:59:59Z&lang=ar"
expect 200 'بيسكوف'

# search: variants, diacritics and prefixes match; "phrases", -exclusion, or
curl -s "$B/v1/articles?q=وبوتين"            # finds بوتين, snippet with <mark>بوتين</mark>
expect 200 '<mark>بوتين</mark>'
curl -s "$B/v1/articles?q=%22کوریا%20الشمالیة%22%20-ترامب"
expect 200 'بيسكوف'

# facets: the most used tags, sources, authors and sections of all the matches, beside the page
curl -s "$B/v1/articles?q=بوتين&facets=tag,source,section&facet_limit=5" | jq '.facets, .facets_counted, .facets_exact'
expect 200 '"facets":{"tag":[{"slug":' '"facets_exact":true'

# a search with no result offers the nearest query that has some
curl -s "$B/v1/articles?q=الكرملبن" | jq .did_you_mean         # "الكرملين"
expect 200 '"did_you_mean":"الكرملين"'

# one article by slug, percent-encoded or raw, in any letter variant; then by the id in its answer
curl -s "$B/v1/articles/%D8%A8%D9%8A%D8%B3%D9%83%D9%88%D9%81-%D8%A7%D9%84%D8%A7%D8%B3%D8%AA%D8%B9%D8%AF%D8%A7%D8%AF%D8%A7%D8%AA-%D8%AC%D8%A7%D8%B1%D9%8A%D8%A9-%D9%84%D8%B2%D9%8A%D8%A7%D8%B1%D8%A9-%D8%A8%D9%88%D8%AA%D9%8A%D9%86-%D8%A5%D9%84%D9%89-%D9%83%D9%88%D8%B1%D9%8A%D8%A7-%D8%A7%D9%84%D8%B4%D9%85%D8%A7%D9%84%D9%8A%D8%A9"
expect 200 'بيسكوف'
id=$(curl -s "$B/v1/articles/بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-الی-کوريا-الشمالية" | jq .id)
expect 200
expect_value "$id" '^[0-9]+$'
curl -si "$B/v1/articles/$id"
expect 200 'ETag: '

# revalidation: 304 when nothing changed
etag=$(curl -si "$B/v1/articles/$id" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
expect_value "$etag" '^(W/)?".+"$'
curl -si -H "If-None-Match: $etag" "$B/v1/articles/$id" | head -1
expect 304

# its "read also" list
curl -s "$B/v1/articles/$id/related"
expect 200 '"data":[{'
also=$(curl -s "$B/v1/articles/$id/related" | jq '.data[0].id')
expect_value "$also" '^[0-9]+$'

# tags (most used first, q= for an autocomplete box), one tag by slug or name, sources
curl -s "$B/v1/tags"
expect 200 'كوريا-الشمالية'
curl -s "$B/v1/tags?q=كور"
expect 200 'كوريا-الشمالية'
curl -s "$B/v1/tags/کوریا-الشمالیة"          # Keheh and Farsi Yeh: the same tag
expect 200 '"slug":"كوريا-الشمالية"'
curl -s "$B/v1/tags/كوريا%20الشمالية"         # the name, with a space
expect 200 '"slug":"كوريا-الشمالية"'
curl -s "$B/v1/sources"
expect 200 'تاس'

# sections (in the editors' order), one section's articles; authors: editors create them
# and name them in bylines, by slug or id
curl -s "$B/v1/sections"
expect 200 '"slug":"سياسة"'
curl -s "$B/v1/articles?section=سياسة"
expect 200 "\"id\":$id" '"section":{"id":'
curl -s -X POST "$B/v1/authors" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name": "سارة علي", "bio": "مراسلة الشؤون السياسية"}'
expect 201 '"slug":"سارة-علي"' '"article_count":0'
curl -s -X PATCH "$B/v1/articles/$id" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/merge-patch+json' -d '{"authors": ["سارة-علي"]}'
expect 200 '"name":"سارة علي"'
curl -s "$B/v1/articles?author=سارة-علي"
expect 200 "\"id\":$id"
curl -s "$B/v1/authors"                      # most public articles first; article_count 1
expect 200 '"article_count":1'
curl -si -X DELETE "$B/v1/authors/سارة-علي" -H "Authorization: Bearer $TOKEN" | head -1   # 409: in a byline
expect 409
curl -s -X PATCH "$B/v1/articles/$id" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/merge-patch+json' -d '{"authors": []}'
expect 200 '"authors":[]'
curl -si -X DELETE "$B/v1/authors/سارة-علي" -H "Authorization: Bearer $TOKEN" | head -1   # out of it: 204
expect 204

# a section's front: the editors' pinned articles, then its newest
curl -si -X PUT "$B/v1/sections/سياسة/front" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "[$id]" | head -1
expect 204
curl -s "$B/v1/sections/سياسة/front"       # the pinned one first, "pinned": true
expect 200 "{\"id\":$id," '"pinned":true'

# create (201 with Location and ETag); $new is its address, from the Location header
new=$(curl -si -X POST "$B/v1/articles" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"title": "موسكو تستضيف معرضا للكتاب", "body": "نص الخبر", "tags": ["موسكو"],
       "sources": ["تاس"], "related": ['"$id"'], "published_at": "2024-05-20T09:00:00+03:00"}' |
  tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
expect 201 'ETag: '
expect_value "$new" '^/v1/articles/[0-9]+$'
echo "created $new"

# replace (PUT), or change some fields (PATCH, JSON Merge Patch); If-Match guards both
curl -s -X PUT "$B$new" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"title": "عنوان جديد", "body": "نص"}'
expect 200 '"title":"عنوان جديد"'
curl -s -X PATCH "$B$new" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/merge-patch+json' -d '{"summary": null, "tags": ["الكرملين"]}'
expect 200 'الكرملين'

# "read also" links: add (idempotent) and remove
curl -si -X PUT    "$B$new/related/$also" -H "Authorization: Bearer $TOKEN" | head -1
expect 204
curl -si -X DELETE "$B$new/related/$also" -H "Authorization: Bearer $TOKEN" | head -1
expect 204

# a draft (the body is CommonMark): the public gets 404, editors read and list it, then publish it
draft=$(curl -s -X POST "$B/v1/articles" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"title": "مسودة عن القمة", "body": "نص **أولي** عن القمة", "status": "draft"}' | jq .id)
expect 201 '"status":"draft"'
expect_value "$draft" '^[0-9]+$'
curl -si "$B/v1/articles/$draft" | head -1
expect 404
curl -s "$B/v1/articles?status=draft" -H "Authorization: Bearer $TOKEN"
expect 200 '"status":"draft"'
curl -s -X PATCH "$B/v1/articles/$draft" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/merge-patch+json' -d '{"status": "published"}'
expect 200 '"status":"published"' '<strong>أولي</strong>'
curl -si -X DELETE "$B/v1/articles/$draft" -H "Authorization: Bearer $TOKEN" | head -1
expect 204

# revisions (writers and editors): every write kept, newest first; read one, restore it as a new version
curl -s "$B$new/revisions" -H "Authorization: Bearer $TOKEN"       # versions 5..1, "changed" in each
expect 200 '"data":[{"version":5,' '"changed":["related"]' '"action":"created"'
curl -s "$B$new/revisions/1" -H "Authorization: Bearer $TOKEN" | jq .article.title
expect 200 '"title":"موسكو تستضيف معرضا للكتاب"'
curl -s -X POST "$B$new/revisions/1/restore" -H "Authorization: Bearer $TOKEN" | jq .title
expect 200 '"title":"موسكو تستضيف معرضا للكتاب"' '"version":6'
# tokens with roles: a writer drafts, only an editor publishes (403 names the role needed)
writer=$("$KHABAR" token create "tour-writer-$RANDOM$RANDOM" --role writer)
expect_value "$writer" '^khb_[A-Za-z0-9_-]{43}$'
editor=$("$KHABAR" token create "tour-editor-$RANDOM$RANDOM" --role editor)
expect_value "$editor" '^khb_[A-Za-z0-9_-]{43}$'
sleep 0.2                                     # every instance hears of new tokens within a moment
piece=$(curl -s -X POST "$B/v1/articles" -H "Authorization: Bearer $writer" \
  -H 'Content-Type: application/json' -d '{"title": "مسودة كاتب", "body": "نص", "status": "draft"}' | jq .id)
expect 201 '"status":"draft"'
curl -s -X PATCH "$B/v1/articles/$piece" -H "Authorization: Bearer $writer" \
  -H 'Content-Type: application/merge-patch+json' -d '{"status": "published"}'
expect 403 'publishing needs the editor role'
curl -s -X PATCH "$B/v1/articles/$piece" -H "Authorization: Bearer $editor" \
  -H 'Content-Type: application/merge-patch+json' -d '{"status": "published"}'
expect 200 '"status":"published"'
curl -si -X DELETE "$B/v1/articles/$piece" -H "Authorization: Bearer $editor" | head -1
expect 204
"$KHABAR" token list

# delete (its tags stay; links to it go)
curl -si -X DELETE "$B$new" -H "Authorization: Bearer $TOKEN" | head -1
expect 204
curl -si "$B$new" | head -1
expect 404

# feeds and sitemaps for readers and crawlers; an article as schema.org NewsArticle
curl -sI "$B/v1/articles?tag=کوریا-الشمالیة" | grep -i '^link'   # rel="alternate" feeds
expect 200 'rel="alternate"; type="application/atom+xml"'
curl -s "$B/v1/feeds/atom?tag=کوریا-الشمالیة" | head -c 400; echo
expect 200 '<feed xmlns="http://www.w3.org/2005/Atom"'
curl -s "$B/v1/feeds/json" | jq '.items[0].title'
expect 200 'https://jsonfeed.org/version/1.1'
curl -s "$B/robots.txt"
expect 200 'Sitemap: '
curl -s "$B/v1/sitemaps/index.xml" | head -c 400; echo
expect 200 '<sitemapindex'
curl -s "$B/v1/articles/$id" -H 'Accept: application/ld+json' | jq '{headline, datePublished, author}'
expect 200 '"@type":"NewsArticle"'
curl -si "$B/v1/articles/$id" -H 'Accept: text/html' | head -1      # 406
expect 406 '406'

# webhooks (admins): the secret is shown once; every address inside the network is refused
admin=$("$KHABAR" token create "tour-admin-$RANDOM$RANDOM" --role admin)
sleep 0.2
hook=$(curl -s -X POST "$B/v1/webhooks" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"url": "https://93.184.215.14/khabar-hook", "events": ["article.published"]}' | jq .id)
expect_value "$hook" '^[0-9]+$'
curl -s "$B/v1/webhooks/$hook" -H "Authorization: Bearer $admin"
expect 200 '"enabled":true' '"pending":0'
curl -s -X POST "$B/v1/webhooks" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"url": "http://127.0.0.1:9/x", "events": ["article.published"]}'
expect 422 'inside the network'
curl -si -X DELETE "$B/v1/webhooks/$hook" -H "Authorization: Bearer $admin" | head -1
expect 204

# operations
curl -s "$B/healthz"
expect 200 '"ok"'
curl -s "$B/readyz"
expect 200 '"ready"'
curl -s "$B/metrics" | head
expect 200 'khabar_http_requests_total'
curl -s "$B/openapi.yaml" | head -3
expect 200 'openapi: 3.1'
# ---- end of the tour

echo
echo "tour: every step answered as the README says"
