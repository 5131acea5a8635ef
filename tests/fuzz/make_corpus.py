#!/usr/bin/env python3
"""make_corpus.py: writes the checked-in seed corpora of the fuzz targets.

    python3 tests/fuzz/make_corpus.py          # rewrites tests/fuzz/corpus/{body,text}/

corpus/body/: request bodies (the sample articles of seed/sample.ndjson, chosen inputs
of tests/fixtures/article_input/, merge patches, other JSON), cursors of each kind and
search boxes, since fuzz_body reads its input as all three.
corpus/text/: titles and texts for the Arabic text rules: letter variants, tashkeel,
tatweel, digits, proclitics, invisibles, mixed scripts, case folding, bytes that are
not UTF-8.

Seeds only: what fuzzing finds goes to build/fuzz/corpus-*/ and is not checked in.
"""
import base64
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")

# Inputs of tests/fixtures/article_input/ used as seeds: those that add code coverage
# to the other seeds (found with libFuzzer -runs=0, dropping one at a time), and the
# plain good, depth, duplicate-key, U+0000 and trailing-bytes cases. The rest differ
# from one of these by a byte or a length, which the fuzzer finds in seconds.
FIXTURES = [
    "depth-32", "depth-32-objects", "depth-33", "depth-33-objects", "duplicate-keys",
    "escape-surrogate-pair", "escape-u0000", "good-full", "good-minimal", "good-nulls",
    "invalid-utf8-above-10ffff", "invalid-utf8-in-key", "invalid-utf8-overlong-2byte",
    "invalid-utf8-overlong-3byte", "invalid-utf8-surrogate-bytes", "invalid-utf8-truncated",
    "lang-double-hyphen", "lang-empty", "lang-subtag-9", "lang-trailing-hyphen",
    "not-object-null", "nul-byte-in-string", "published-date-only",
    "published-feb-29-non-leap", "published-hour-24", "published-leap-day",
    "published-lower-t-z", "published-month-13", "published-negative-offset",
    "published-no-offset", "published-year-0", "related-51", "related-empty-string",
    "several-fields-bad", "slug-121-arabic", "slug-punctuation-only", "sources-21",
    "sources-item-201", "summary-blank", "tags-item-punctuation", "tags-several-bad",
    "title-500-trimmed", "title-blank", "trailing-second-object", "wrong-types-all",
]


def fnv1a64(h, data):
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def cursor(kind, key, ident):
    """A cursor as server/http/cursor.c makes it: base64url("kind:key:id:checksum")."""
    payload = f"{kind}:{key}:{ident}".encode()
    salt = fnv1a64(0xCBF29CE484222325, b"khabar cursor v1")
    full = payload + b":%016x" % fnv1a64(salt, payload)
    return base64.urlsafe_b64encode(full).rstrip(b"=")


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False).encode()


def body_seeds():
    seeds = {}
    with open(os.path.join(ROOT, "seed", "sample.ndjson"), "rb") as f:
        for i, line in enumerate(f):
            seeds[f"sample-{i + 1}.json"] = line.rstrip(b"\n")
    for name in FIXTURES:
        with open(os.path.join(ROOT, "tests", "fixtures", "article_input", name, "input"), "rb") as f:
            seeds[f"fixture-{name}.json"] = f.read()
    seeds["article-everything.json"] = dumps({
        "title": "  بِيسكوف: الاستعداداتُ جاريـــة لزيارة بوتين إلى كوريا الشمالية ٢٠٢٤  ",
        "summary": "قال المتحدث باسم الكرملين \u200fدميتري بيسكوف\u200e، السبت...",
        "body": "نص الخبر\n\nوأضاف: «الزيارة قريبة» & <b>عاجل</b>",
        "slug": "بيسكوف-الاستعدادات-جارية-2",
        "lang": "ar-EG",
        "published_at": "2024-05-19T09:00:00.123+03:00",
        "tags": ["کوریا الشمالیة", "كوريا الشمالية", " الكرملين ", "بوتين"],
        "sources": ["تاس", "RT Arabic", "تــاس"],
        "related": [43, "ترامب-يخطط", 43, "ترامب يخطط"],
    })
    seeds["article-title-only-punctuation.json"] = dumps({"title": "«؟!»", "body": "."})
    seeds["article-escapes.json"] = (
        b'{"title": "\\u0643\\u0648\\u0631\\u064a\\u0627 \\ud83d\\ude00 \\"q\\" \\\\ \\/",'
        b' "body": "\\t\\n\\r\\b\\f\\u00a0\\u200c", "lang": "en-GB"}')
    seeds["article-english.json"] = dumps({
        "title": "Don't PANIC: Putin's visit -- North Korea (2024)",
        "body": "Body text.", "lang": "en", "tags": ["North Korea", "north-korea"],
        "related": [1, 2, 3]})
    seeds["article-numbers.json"] = (
        b'{"title": "t", "body": "b", "related": [1, 9223372036854775807, 0, -1, 1.0, 1e2]}')
    seeds["patch-summary-tags.json"] = dumps({"summary": None, "tags": ["الكرملين"]})
    seeds["patch-title.json"] = dumps({"title": "عنوان جديد"})
    seeds["patch-nested.json"] = dumps({"title": {"a": {"b": None, "c": [1]}}, "body": None})
    seeds["patch-slug.json"] = dumps({"slug": "بوتين-2", "related": None, "sources": []})
    seeds["patch-empty.json"] = b"{}"
    seeds["json-string.json"] = b'"\xd8\xae\xd8\xa8\xd8\xb1"'
    seeds["json-array.json"] = b'[1, "2", null, true, {"a": []}]'
    seeds["json-number.json"] = b"-1.5e-300"
    seeds["json-whitespace.json"] = b" \t\r\n{ \"title\" : \"x\" , \"body\" : \"y\" } \n"
    for name, kind, key, ident in [
        ("newest", "n", "2024-05-19T00:00:00Z", 42),
        ("newest-offset", "n", "2024-05-19T09:00:00.5+03:00", 7),
        ("ranked", "r", "0.0607927", 17),
        ("ranked-exponent", "r", "1e-37", 3),
        ("tags", "t", "12", 5),
        ("sources", "s", "0", 9),
    ]:
        seeds[f"cursor-{name}.txt"] = cursor(kind, key, ident)
    seeds["cursor-edited.txt"] = cursor("n", "2024-05-19T00:00:00Z", 42)[:-2] + b"AA"
    seeds["time.txt"] = b"2024-02-29T23:59:59.123456789-15:59"
    seeds["lang.txt"] = b"ku-Arab-IQ"
    seeds["empty.txt"] = b""
    seeds["q-proclitic.txt"] = "وبوتين".encode()
    seeds["q-phrase-exclude.txt"] = '"کوریا الشمالیة" -ترامب'.encode()
    seeds["q-or.txt"] = "الكرملين or بوتين OR -\"كيم جونغ\" or".encode()
    seeds["q-unterminated.txt"] = '"بيونغ يانغ'.encode()
    seeds["q-only-excluded.txt"] = "-ترامب -\"البيت الأبيض\"".encode()
    return seeds


LONG_TITLE = ("المتحدث باسم الكرملين دميتري بيسكوف يقول إن الاستعدادات جارية لزيارة الرئيس "
              "الروسي فلاديمير بوتين إلى جمهورية كوريا الديمقراطية الشعبية في الأسابيع المقبلة")


def text_seeds():
    seeds = {}
    with open(os.path.join(ROOT, "seed", "sample.ndjson"), "rb") as f:
        first = json.loads(f.readline())
    t = {
        "title-sample": first["title"],
        "body-sample": first["body"][:1500],
        "variants-persian": "کوریا الشمالیة",
        "variants-arabic": "كوريا الشمالية",
        "variants-teh-marbuta": "الشماليه الشمالية الشمالیة",
        "variants-ila": "إلى الى إلی الي ٳلى",
        "alef-forms": "أحمد إبراهيم آمال ٱلله اللّٰه",
        "tashkeel": "كُورِيَا الشَّمَالِيَّةُ بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ",
        "tashkeel-all": "ب\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u065f\u0670",
        "tatweel": "كـــوريا الشـمـالـيـة ـ ـَ",
        "digits": "عام ٢٠٢٤ و ۱۴۰۳ و 2024 و ١٢٣abc٤٥٦",
        "proclitics": "وبالكرملين للكرملين فالبيت كالأسد وللبيت بوتين لبوتين ال وال فل ولل",
        "proclitics-short": "وب بال لل وا فك",
        "mixed-scripts": "Putin بوتين Путин 普京 – RT Arabic عربي123",
        "punctuation": "بيسكوف: «الاستعدادات جارية»؛ هل؟! (نعم) don't C++ e-mail a_b ﴾آية﴿",
        "dashes": "--خبر--عاجل-- —عاجل— _خبر_ ‐‑‒",
        "invisibles": "كوريا\u200cالشمالية \u200fRLM\u200e \ufeffBOM \u061cALM \u0600١ \u06dd",
        "whitespace-edges": "  \t\n\u00a0 عنوان \u3000 \u2028",
        "whitespace-only": "\u2028\u00a0 \t\u0085\u3000",
        "html": "<b>خبر</b> & \"quoted\" 'single' &amp; <mark>x</mark>",
        "long-word": "كلمة " + "ب" * 120 + " أخرى " + "a" * 201,
        "long-title": LONG_TITLE,
        "long-title-no-space": LONG_TITLE.replace(" ", ""),
        "long-title-dashes": LONG_TITLE.replace(" ", "-"),
        "combining-compose": "e\u0653\u0301 ا\u0654 و\u0654 ه\u0654 ي\u0654 ا\u0653",
        "combining-start": "\u0301\u0654 علامة a\u0323\u0307 \u0345",
        "case-folding": "ß ẞ İstanbul ΣΊΣΥΦΟΣ ǅ ﬁ K Å ᾼ ΐ",
        "ligatures": "ﷲ ﻻ ﷺ ﻷ",
        "hangul": "한국어 뉴스 \u1112\u1161\u11ab",
        "emoji": "🇸🇦 👨‍👩‍👧 خبر 😀",
        "private-use": "\ue000\U0010fffd خاص \ufdd0",
        "controls": "a\x01b\x7fc\u0085d\x1b[0m",
        "search-syntax": '"كوريا الشمالية" -ترامب or بوتين',
        "persian": "خبرگزاری ایران ۱۴۰۳ گزارش داد ۀ",
        "urdu": "پاکستان کی خبریں ۲۰۲۴ ے",
        "single-letter": "و",
        "slug-like": "كوريا-الشمالية-2",
    }
    for name, text in t.items():
        seeds[name + ".txt"] = text.encode("utf-8")
    seeds["empty.txt"] = b""
    seeds["invalid-ff.txt"] = "خبر".encode() + b"\xff"
    seeds["invalid-overlong.txt"] = b"a\xc0\xafb"
    seeds["invalid-surrogate.txt"] = b"\xed\xa0\x80 " + "خبر".encode()
    seeds["invalid-above-max.txt"] = b"\xf4\x90\x80\x80"
    seeds["invalid-truncated.txt"] = "خبر".encode() + b"\xd8"
    seeds["nul-inside.txt"] = "خبر".encode() + b"\x00" + "ما بعد".encode()
    return seeds


def write(kind, seeds):
    path = os.path.join(OUT, kind)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    total = sum(len(d) for d in seeds.values())
    print(f"{path}: {len(seeds)} files, {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    write("body", body_seeds())
    write("text", text_seeds())
