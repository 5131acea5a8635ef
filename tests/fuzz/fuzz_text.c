/*
 * fuzz_text.c: libFuzzer target for the Arabic text rules (normalize.h, words.h) and
 * the search texts built on them (search.h).
 *
 * The input is taken as a C string (up to its first NUL) and given to every function
 * of normalize.h and words.h; text_is_valid_utf8 also gets the raw bytes, NULs
 * included. Besides what AddressSanitizer, UndefinedBehaviorSanitizer and
 * LeakSanitizer catch, the properties those headers promise are checked, and a failed
 * one is a crash (__builtin_trap):
 *   - text_is_valid_utf8 agrees with an RFC 3629 decoder written here; text_char_count
 *     with its count; text_trim_new and text_is_blank with a trim written here;
 *   - everything returned is valid UTF-8, and NULL exactly when the input is invalid;
 *   - normalize, slugify (each max length) and the slug key are idempotent; a
 *     normalized string has no letter variant, mark, tatweel, format or control
 *     character left and single spaces only; a slug has no leading, trailing or doubled
 *     '-', at most max characters, no white space, punctuation or symbol but '-', and is
 *     the full slug cut at a '-' (or hard when it has none);
 *   - a suffixed slug fits, ends with its number and is itself a canonical slug;
 *   - search forms: non-empty, valid, at most TEXT_SEARCH_WORD_MAX_BYTES, already
 *     normalized, word indexes non-decreasing and below the count returned, the later
 *     forms of a word proper suffixes of its first, shortest prefix first, none twice;
 *   - the tsvector and tsquery texts parse as PostgreSQL reads them;
 *   - a snippet exists exactly when a word matches, is HTML-escaped, and marks at most
 *     max_words words;
 *   - a body rendered from CommonMark (markup.h) is valid UTF-8 HTML and text, holds no
 *     raw HTML (no "<!--", no "<script"), and every href and src is relative or has an
 *     allowed scheme.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "text/markup.h"
#include "text/normalize.h"
#include "text/search.h"
#include "text/words.h"

#define MAX_FORMS_PER_WORD 16

/* ---- references written from the headers, not from the sources ---- */

/* What text_trim_new must return: s without leading and trailing White_Space. */
static char *ref_trim_new(const char *s)
{
    size_t len = strlen(s), pos = 0, start = SIZE_MAX, end = 0;
    while (pos < len) {
        int32_t cp;
        size_t n = fz_utf8_decode((const unsigned char *)s + pos, len - pos, &cp);
        if (n == 0) /* a byte that is no character is not white space either */
            cp = -1, n = 1;
        if (!fz_is_white_space(cp)) {
            if (start == SIZE_MAX)
                start = pos;
            end = pos + n;
        }
        pos += n;
    }
    if (start == SIZE_MAX)
        start = end = 0;
    return fz_strndup(s + start, end - start);
}

/* Code points text_normalize_new removes or maps: none may be left in its result. */
static bool normalized_may_hold(int32_t cp)
{
    switch (cp) {
    case 0x06A9: case 0x06CC: case 0x0649:           /* Keheh, Farsi Yeh, Alef Maksura */
    case 0x0622: case 0x0623: case 0x0625: case 0x0671: /* alef forms */
    case 0x0640: case 0x0670:                        /* tatweel, superscript alef */
        return false;
    default:
        break;
    }
    if ((cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0660 && cp <= 0x0669) ||
        (cp >= 0x06F0 && cp <= 0x06F9))
        return false;
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CC)
        return false;
    return cp == ' ' || !fz_is_white_space(cp);
}

/* Code points a slug may hold besides '-': no white space, P*, S*, Cc, Cf, tashkeel, tatweel. */
static bool slug_may_hold(int32_t cp)
{
    if (cp == '-')
        return true;
    if (fz_is_white_space(cp) || cp == 0x0640 || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670)
        return false;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO: case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
        return false;
    default:
        return true;
    }
}

static void check_all_chars(const char *s, bool (*allowed)(int32_t))
{
    size_t len = strlen(s), pos = 0;
    while (pos < len) {
        int32_t cp;
        size_t n = fz_utf8_decode((const unsigned char *)s + pos, len - pos, &cp);
        CHECK(n > 0);
        if (!allowed(cp)) {
            fprintf(stderr, "\nU+%04X at byte %zu of \"%s\"\n", (unsigned)cp, pos, s);
            CHECK(!"a character that may not be there");
        }
        pos += n;
    }
}

/* ---- normalize, trim, blank, count ---- */

static void check_normalized(const char *n)
{
    size_t len = strlen(n);
    CHECK(fz_str_valid(n));
    CHECK(len == 0 || (n[0] != ' ' && n[len - 1] != ' '));
    CHECK(strstr(n, "  ") == NULL);
    check_all_chars(n, normalized_may_hold);
    char *again = text_normalize_new(n);
    CHECK_STREQ(again, n); /* idempotent */
    free(again);
}

static void check_basics(const char *s, bool valid)
{
    /* text_char_count: one per code point of a valid string */
    if (valid)
        CHECK(text_char_count(s) == fz_char_count(s));

    /* text_trim_new and text_is_blank agree with the reference, on any bytes */
    char *trimmed = text_trim_new(s), *ref = ref_trim_new(s);
    CHECK_STREQ(trimmed, ref);
    CHECK(text_is_blank(s) == (trimmed[0] == '\0'));
    char *twice = text_trim_new(trimmed);
    CHECK_STREQ(twice, trimmed);
    free(twice);
    free(ref);

    /* text_normalize_new */
    char *n = text_normalize_new(s);
    CHECK((n != NULL) == valid);
    if (n != NULL) {
        check_normalized(n);
        char *nt = text_normalize_new(trimmed); /* leading/trailing space never matters */
        CHECK_STREQ(nt, n);
        free(nt);
    }
    free(n);
    free(trimmed);
}

/* ---- slugs ---- */

static void check_slug_shape(const char *slug, size_t max_chars)
{
    CHECK(fz_str_valid(slug));
    if (!fz_dashes_ok(slug)) {
        fprintf(stderr, "\nslug = \"%s\"\n", slug);
        CHECK(!"a slug with a leading, trailing or doubled '-'");
    }
    CHECK(text_char_count(slug) <= max_chars);
    check_all_chars(slug, slug_may_hold);
}

static void check_slugs(const char *s, bool valid)
{
    static const size_t maxes[] = { 0, 1, 2, 3, 7, 40, TEXT_SLUG_MAX_CHARS };
    char *full = text_slugify_new(s, SIZE_MAX);
    CHECK((full != NULL) == valid);
    if (full == NULL)
        return;
    check_slug_shape(full, SIZE_MAX);
    char *again = text_slugify_new(full, SIZE_MAX);
    CHECK_STREQ(again, full);
    free(again);
    size_t full_len = strlen(full);

    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        char *slug = text_slugify_new(s, maxes[i]);
        CHECK(slug != NULL);
        check_slug_shape(slug, maxes[i]);
        /* idempotent at the same max, and unchanged at no max */
        char *same = text_slugify_new(slug, maxes[i]);
        CHECK_STREQ(same, slug);
        free(same);
        same = text_slugify_new(slug, SIZE_MAX);
        CHECK_STREQ(same, slug);
        free(same);
        /* the full slug cut: whole, at a word boundary, or hard when no '-' is in reach */
        size_t len = strlen(slug);
        CHECK(len <= full_len && memcmp(slug, full, len) == 0);
        CHECK(len == full_len || full[len] == '-' || strchr(slug, '-') == NULL);
        if (len < full_len && strchr(slug, '-') == NULL && full[len] != '-')
            CHECK(text_char_count(slug) == maxes[i]); /* a hard cut uses all of max */
        if (len < full_len && full[len] == '-') {
            /* cut at a word boundary: the next word would not have fitted */
            const char *next = strchr(full + len + 1, '-');
            char *longer = fz_strndup(full, next ? (size_t)(next - full) : full_len);
            CHECK(text_char_count(longer) > maxes[i]);
            free(longer);
        }
        free(slug);
    }

    /* the key: normalize(slugify(s, 120)); every spelling of a key is that key */
    char *key = text_slug_key_new(s);
    CHECK(key != NULL);
    CHECK(fz_str_valid(key));
    if (!fz_dashes_ok(key) || strchr(key, ' ') != NULL) {
        fprintf(stderr, "\nkey = \"%s\"\n", key);
        CHECK(!"a slug key with a space or a leading, trailing or doubled '-'");
    }
    char *k2 = text_slug_key_new(key);
    CHECK_STREQ(k2, key);
    free(k2);
    k2 = text_normalize_new(key);
    CHECK_STREQ(k2, key);
    free(k2);
    char *slug120 = text_slugify_new(s, TEXT_SLUG_MAX_CHARS);
    k2 = text_slug_key_new(slug120); /* the key of a title's slug is the title's key */
    CHECK_STREQ(k2, key);
    free(k2);
    free(slug120);

    /* suffixes, on a canonical slug */
    static const unsigned ns[] = { 0, 1, 2, 10, 4294967295u };
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        for (size_t j = 0; j < sizeof maxes / sizeof *maxes; j++) {
            size_t max = maxes[j];
            char num[16] = "";
            if (ns[i] >= 2)
                snprintf(num, sizeof num, "%u", ns[i]);
            char *r = text_slug_with_suffix_new(full, ns[i], max);
            /* NULL only when not even the number fits (then alone, without '-') */
            CHECK((r == NULL) == (ns[i] >= 2 && strlen(num) > max));
            if (r == NULL)
                continue;
            check_slug_shape(r, max);
            size_t rl = strlen(r), nl = strlen(num);
            if (ns[i] >= 2) {
                CHECK(rl >= nl && strcmp(r + rl - nl, num) == 0);
                CHECK(rl == nl || r[rl - nl - 1] == '-');
                CHECK(rl == nl || memcmp(r, full, rl - nl - 1) == 0);
            } else {
                CHECK(rl <= full_len && memcmp(r, full, rl) == 0);
            }
            char *canon = text_slugify_new(r, SIZE_MAX); /* a slug the client may send back */
            CHECK_STREQ(canon, r);
            free(canon);
            free(r);
        }
    }
    free(key);
    free(full);
}

/* On arbitrary bytes: NULL for invalid UTF-8, else within max and not starting with '-'. */
static void check_suffix_raw(const char *s, bool valid)
{
    static const unsigned ns[] = { 0, 3 };
    for (size_t i = 0; i < 2; i++) {
        char *r = text_slug_with_suffix_new(s, ns[i], 5);
        CHECK(valid || r == NULL);
        if (r != NULL) {
            CHECK(fz_str_valid(r));
            CHECK(text_char_count(r) <= 5);
        }
        free(r);
    }
    CHECK(text_slug_with_suffix_new(NULL, 2, 10) == NULL);
}

/* ---- search forms ---- */

struct forms_state {
    long last_word;
    size_t max_word, calls;
    char *first;     /* the current word's first form */
    size_t first_len, prev_len, nforms;
    char *forms[MAX_FORMS_PER_WORD];
    size_t lens[MAX_FORMS_PER_WORD];
};

static void forms_reset(struct forms_state *st)
{
    for (size_t i = 0; i < st->nforms; i++)
        free(st->forms[i]);
    st->nforms = 0;
}

static size_t first_char_len(const char *form, size_t len, int32_t *cp)
{
    size_t n = fz_utf8_decode((const unsigned char *)form, len, cp);
    CHECK(n > 0);
    return n;
}

static int check_form(size_t word, const char *form, size_t len, void *arg)
{
    struct forms_state *st = arg;
    st->calls++;
    CHECK(len > 0 && len <= TEXT_SEARCH_WORD_MAX_BYTES);
    CHECK(text_is_valid_utf8(form, len) && fz_utf8_valid(form, len));
    CHECK((long)word >= st->last_word);
    if (word > st->max_word || st->calls == 1)
        st->max_word = word;
    char *copy = fz_strndup(form, len);
    CHECK(strchr(copy, ' ') == NULL);
    CHECK(strstr(copy, "\xd8\xa9") == NULL); /* teh marbuta reads as heh */
    /* a form is normalized already (ة aside, folded above) */
    char *n = text_normalize_new(copy);
    CHECK_STREQ(n, copy);
    free(n);
    if ((long)word != st->last_word) {
        forms_reset(st);
        st->last_word = (long)word;
        st->first_len = len;
    } else {
        /* later forms: what is left after cutting proclitics or suffixes, each shorter
         * than the whole form, none starting on a combining mark */
        int32_t cp;
        CHECK(len < st->first_len);
        first_char_len(form, len, &cp);
        utf8proc_category_t cat = utf8proc_category(cp);
        CHECK(cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
              cat != UTF8PROC_CATEGORY_ME);
        CHECK(fz_char_count(copy) >= 2);
        for (size_t i = 0; i < st->nforms; i++)
            CHECK(st->lens[i] != len || memcmp(st->forms[i], form, len) != 0);
    }
    CHECK(st->nforms < MAX_FORMS_PER_WORD);
    st->forms[st->nforms] = copy;
    st->lens[st->nforms++] = len;
    st->prev_len = len;
    return 0;
}

struct stopper {
    size_t stop_at, calls;
    long word;
};

static int stop_form(size_t word, const char *form, size_t len, void *arg)
{
    struct stopper *st = arg;
    (void)form, (void)len;
    if (++st->calls == st->stop_at) {
        st->word = (long)word;
        return 1;
    }
    return 0;
}

static void check_forms(const char *s, bool valid, unsigned char salt)
{
    struct forms_state st = { .last_word = -1 };
    long count = text_search_forms(s, NULL, NULL);
    CHECK((count >= 0) == valid);
    long with_fn = text_search_forms(s, check_form, &st);
    forms_reset(&st);
    CHECK(with_fn == count);
    if (st.calls > 0)
        CHECK((long)st.max_word < count);

    struct stopper stop = { .stop_at = (size_t)(salt % 7) + 1, .word = -1 };
    long stopped = text_search_forms(s, stop_form, &stop);
    CHECK(stopped == (stop.word >= 0 ? stop.word + 1 : count));
}

/* ---- search vector ---- */

static void check_vector(const uint8_t *data, size_t size)
{
    size_t a = size / 3, b = 2 * size / 3;
    char *title = fz_strndup(data, a), *summary = fz_strndup(data + a, b - a),
         *body = fz_strndup(data + b, size - b);
    char *v = search_vector_new(title, size % 2 ? NULL : summary, body);
    CHECK(v != NULL);
    fz_check_tsvector(v);
    free(v);
    free(title);
    free(summary);
    free(body);
}

/* ---- snippets ---- */

/* Matches one form (the target) or, with no target, forms whose hash has a given bit. */
struct matcher {
    const char *target;
    size_t target_len;
    unsigned salt;
};

static int match_form(const char *form, size_t len, void *arg)
{
    const struct matcher *m = arg;
    if (m->target != NULL)
        return len == m->target_len && memcmp(form, m->target, len) == 0;
    unsigned h = m->salt;
    for (size_t i = 0; i < len; i++)
        h = h * 31 + (unsigned char)form[i];
    return (h >> 3) % 3 == 0;
}

/* Whether some form of some word of s matches: what decides whether a snippet exists. */
struct any_match {
    const struct matcher *m;
    bool found;
};

static int any_form(size_t word, const char *form, size_t len, void *arg)
{
    struct any_match *am = arg;
    (void)word;
    if (match_form(form, len, (void *)am->m)) {
        am->found = true;
        return 1;
    }
    return 0;
}

/* Picks the form number k of s (counting over all words) as a target. */
struct pick {
    size_t k, calls;
    char *form;
    size_t len;
};

static int pick_form(size_t word, const char *form, size_t len, void *arg)
{
    struct pick *p = arg;
    (void)word;
    if (p->calls++ == p->k) {
        p->form = fz_strndup(form, len);
        p->len = len;
        return 1;
    }
    return 0;
}

static void check_snippet_with(const char *s, bool valid, const struct matcher *m)
{
    static const size_t max_words[] = { 0, 1, 3, 30 };
    struct any_match am = { m, false };
    if (valid)
        text_search_forms(s, any_form, &am);
    for (size_t i = 0; i < sizeof max_words / sizeof *max_words; i++) {
        char *snip = text_snippet_new(s, max_words[i], match_form, (void *)m);
        CHECK((snip != NULL) == (valid && am.found && max_words[i] > 0));
        if (snip != NULL)
            CHECK(fz_check_snippet(snip) <= max_words[i]);
        free(snip);
    }
}

static void check_snippets(const char *s, bool valid, unsigned char salt)
{
    struct matcher hashed = { NULL, 0, salt };
    check_snippet_with(s, valid, &hashed);
    if (!valid)
        return;
    struct pick p = { .k = salt % 16 };
    text_search_forms(s, pick_form, &p);
    if (p.form != NULL) {
        struct matcher target = { p.form, p.len, 0 };
        check_snippet_with(s, valid, &target);
        free(p.form);
    }
    CHECK(text_snippet_new(NULL, 3, match_form, &hashed) == NULL);
    CHECK(text_snippet_new(s, 3, NULL, NULL) == NULL);
}

/* ---- search box ---- */

static void check_query(const char *s, bool valid)
{
    char err[256] = "";
    struct search_query *q = search_query_new(s, err, sizeof err);
    if (!valid)
        CHECK(q == NULL);
    if (q == NULL) {
        CHECK(err[0] != '\0');
        return;
    }
    const char *tsq = search_query_tsquery(q);
    CHECK(tsq != NULL && tsq[0] != '\0');
    fz_check_tsquery(tsq);
    const char *texts[] = { NULL, s };
    char *snip = search_snippet_new(q, texts, 2);
    if (snip != NULL)
        fz_check_snippet(snip);
    free(snip);
    search_query_free(q);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Every href="..." and src="..." of html names no scheme but http, https and mailto. */
static bool urls_are_safe(const char *html)
{
    static const char *const attrs[] = { " href=\"", " src=\"" };
    for (size_t a = 0; a < 2; a++) {
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            size_t head = strcspn(v, ":/?#\"");
            if (v[head] == ':' && !((head == 4 && strncasecmp(v, "http", 4) == 0) ||
                                    (head == 5 && strncasecmp(v, "https", 5) == 0) ||
                                    (head == 6 && strncasecmp(v, "mailto", 6) == 0)))
                return false;
        }
    }
    return true;
}

static void check_markup(const char *s, bool valid)
{
    struct markup m;
    if (!valid)
        return; /* bodies are checked as UTF-8 before they are rendered */
    CHECK(markup_render(s, strlen(s), &m) == 0);
    CHECK(text_is_valid_utf8(m.html, strlen(m.html)) && text_is_valid_utf8(m.text, strlen(m.text)));
    CHECK(strstr(m.html, "<!--") == NULL && strcasestr(m.html, "<script") == NULL);
    CHECK(urls_are_safe(m.html));
    markup_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    json_object_seed(1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the raw bytes, NULs included */
    CHECK(text_is_valid_utf8((const char *)data, size) == fz_utf8_valid(data, size));

    char *s = fz_strndup(data, size);
    size_t len = strlen(s);
    bool valid = text_is_valid_utf8(s, len);
    CHECK(valid == fz_utf8_valid(s, len));
    unsigned char salt = size > 0 ? data[size - 1] : 0;

    check_basics(s, valid);
    check_slugs(s, valid);
    check_suffix_raw(s, valid);
    check_forms(s, valid, salt);
    check_vector(data, size);
    check_snippets(s, valid, salt);
    check_query(s, valid);
    check_markup(s, valid);

    /* NULL is handled everywhere it is documented to be */
    CHECK(text_normalize_new(NULL) == NULL && text_slugify_new(NULL, 5) == NULL &&
          text_trim_new(NULL) == NULL && text_is_blank(NULL) && text_char_count(NULL) == 0 &&
          text_search_forms(NULL, NULL, NULL) == -1);
    free(s);
    return 0;
}
