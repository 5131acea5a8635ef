/* test_words.c: unit tests of server/text/words.c: search forms of words and snippets (words.h). */
#include "text/words.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"
#include "text/normalize.h"
#include "unit.h"

/* Every form text_search_forms gave, as "word:form" joined by spaces; stops after stop_after calls. */
struct form_log {
    char buf[8192];
    size_t n, calls, stop_after;
    bool overflow;
};

/* text_form_fn appending one form to a form_log. */
static int log_form(size_t word, const char *form, size_t len, void *arg)
{
    struct form_log *log = arg;
    char item[512];
    int k = snprintf(item, sizeof item, "%s%zu:%.*s", log->n ? " " : "", word, (int)len, form);
    if (k < 0 || (size_t)k >= sizeof item || log->n + (size_t)k >= sizeof log->buf)
        log->overflow = true;
    else {
        memcpy(log->buf + log->n, item, (size_t)k + 1);
        log->n += (size_t)k;
    }
    return ++log->calls == log->stop_after;
}

/* Runs text_search_forms on in and checks the forms and the word count. */
static void check_forms(const char *in, const char *want, long want_count, const char *name)
{
    struct form_log log = {0};
    long count = text_search_forms(in, log_form, &log);
    char cname[200];
    check_str(log.buf, want, name);
    snprintf(cname, sizeof cname, "%s (count %ld)", name, want_count);
    check(count == want_count && !log.overflow, cname);
}

/* The forms of one text, each NUL-terminated, for set comparisons. */
struct form_set {
    char forms[32][TEXT_SEARCH_WORD_MAX_BYTES + 1];
    size_t n;
};

/* text_form_fn adding a form to a form_set. */
static int collect_form(size_t word, const char *form, size_t len, void *arg)
{
    struct form_set *set = arg;
    (void)word;
    if (set->n < 32 && len <= TEXT_SEARCH_WORD_MAX_BYTES) {
        memcpy(set->forms[set->n], form, len);
        set->forms[set->n++][len] = '\0';
    }
    return 0;
}

/* True when a form of a equals a form of b: the two would match in search. */
static bool share_form(const char *a, const char *b)
{
    static struct form_set fa, fb;
    fa.n = fb.n = 0;
    text_search_forms(a, collect_form, &fa);
    text_search_forms(b, collect_form, &fb);
    for (size_t i = 0; i < fa.n; i++)
        for (size_t j = 0; j < fb.n; j++)
            if (strcmp(fa.forms[i], fb.forms[j]) == 0)
                return true;
    return false;
}

static void check_share(const char *a, const char *b, bool want, const char *name)
{
    check(share_form(a, b) == want && share_form(b, a) == want, name);
}

static void test_search_proclitics(void **state)
{
    (void)state;
    check_forms("وبالكرملين", "0:وبالكرملين 0:بالكرملين 0:الكرملين 0:كرملين", 1,
                "forms: وبالكرملين (و + ب + ال)");
    check_forms("بوتين", "0:بوتين", 1, "forms: بوتين (a name: ب + وتين would be the aorta)");
    check_forms("وبوتين", "0:وبوتين 0:بوتين", 1, "forms: وبوتين (down to the name only)");
    check_share("وتين", "بوتين", false, "share: وتين / بوتين");
    check_share("بنان", "لبنان", false, "share: بنان / لبنان");
    check_forms("لبوتين", "0:لبوتين 0:بوتين", 1, "forms: لبوتين");
    check_forms("للكرملين", "0:للكرملين 0:لكرملين 0:كرملين", 1, "forms: للكرملين (ل, then ل + ال)");
    check_forms("فللكرملين", "0:فللكرملين 0:للكرملين 0:لكرملين 0:كرملين", 1,
                "forms: فللكرملين (ف + ل + ال)");
    check_forms("والشمالية", "0:والشماليه 0:الشماليه 0:شماليه", 1,
                "forms: والشمالية (و + ال; ة read as ه)");
    check_forms("كالبرق", "0:كالبرق 0:البرق 0:برق", 1, "forms: كالبرق (ك + ال)");
    check_forms("فالكرملين", "0:فالكرملين 0:الكرملين 0:كرملين", 1, "forms: فالكرملين (ف + ال)");
    check_forms("الكرملين", "0:الكرملين 0:كرملين", 1, "forms: الكرملين (ال alone)");
    check_forms("ال", "0:ال", 1, "forms: ال alone keeps two letters, nothing stripped");
    check_forms("بال", "0:بال 0:ال", 1, "forms: بال (ب leaves two letters, بال none)");
    check_forms("وال", "0:وال 0:ال", 1, "forms: وال");
    check_forms("ولد", "0:ولد 0:لد", 1, "forms: ولد (ول would leave one letter)");
    check_forms("في", "0:في", 1, "forms: في (ف would leave one letter)");
    check_forms("و", "0:و", 1, "forms: a lone و");
    check_forms("لالكرملين", "0:لالكرملين 0:الكرملين", 1,
                "forms: after ل the article is written لل, so لال is ل only");
    check_forms("الوفد", "0:الوفد 0:وفد", 1, "forms: the article comes last (no و after ال)");
    check_forms("بكتاب", "0:بكتاب 0:كتاب", 1, "forms: two prepositions are not stripped together");
    check_forms("وفد", "0:وفد 0:فد", 1, "forms: two conjunctions are not stripped together");
    check_forms("Hello", "0:hello", 1, "forms: a Latin word is just casefolded");
    check_forms("STRASSE Straße", "0:strasse 1:strasse", 2, "forms: full case folding");
    check_forms("بِالْكَرْمَلِينِ", "0:بالكرملين 0:الكرملين 0:كرملين", 1,
                "forms: tashkeel goes before stripping");
    check_forms("ٱلكرملين", "0:الكرملين 0:كرملين", 1, "forms: alef wasla article");
    check_forms("2023", "0:2023", 1, "forms: digits");
    check_forms("\u0641\u0301\u0643\u062A\u0628", "0:\u0641\u0301\u0643\u062A\u0628", 1,
                "forms: no cut between a letter and its mark");
    check_forms("\u0648\u0628\u0301\u064A\u062A", "0:\u0648\u0628\u0301\u064A\u062A 0:\u0628\u0301\u064A\u062A", 1,
                "forms: و cut, ب kept with its mark");
}

static void test_search_variants(void **state)
{
    (void)state;
    check_share(KOREA_FA, KOREA_AR, true, "share: کوریا / كوريا");
    check_share(NORTH_FA, NORTH_AR, true, "share: الشمالیة / الشمالية");
    check_share(NORTH_AR, "الشماليه", true, "share: الشمالية / الشماليه");
    check_share(NORTH_FA, "الشماليه", true, "share: الشمالیة / الشماليه");
    check_share(ALEF_HAMZA_ABOVE HMD, ALEF HMD, true, "share: أحمد / احمد");
    check_share(ALEF_HAMZA_BELOW HMD, ALEF HMD, true, "share: إحمد / احمد");
    check_share(ALEF_HAMZA_ABOVE HMD, ALEF_HAMZA_BELOW HMD, true, "share: أحمد / إحمد");
    check_share("بُوتِين", "بوتين", true, "share: بُوتِين / بوتين");
    check_share("\u0646\u0640\u0640\u0641\u0640\u0640\u0637", "نفط", true, "share: نــفــط / نفط");
    check_share("وبوتين", "بوتين", true, "share: وبوتين / بوتين");
    check_share("لبوتين", "بوتين", true, "share: لبوتين / بوتين");
    check_share("بالكرملين", "الكرملين", true, "share: بالكرملين / الكرملين");
    check_share("والكرملين", "الكرملين", true, "share: والكرملين / الكرملين");
    check_share("فالكرملين", "كرملين", true, "share: فالكرملين / كرملين");
    check_share("للكرملين", "الكرملين", true, "share: للكرملين / الكرملين");
    check_share("وللكرملين", "كرملين", true, "share: وللكرملين / كرملين");
    check_share("كرملين", "کرملین", true, "share: كرملين / کرملین (Keheh, Farsi Yeh)");
    check_share("موسى", "موسي", true, "share: موسى / موسي (alef maksura)");
    check_share("\u0645\u064A" ZWNJ "\u062E\u0648\u0627\u0647\u0645", "ميخواهم", true,
                "share: ZWNJ inside a word vanishes");
    check_share("كتاب", "كاتب", false, "no share: كتاب / كاتب");
    check_share("بيت", "بنت", false, "no share: بيت / بنت");
    check_share("موسكو", "كوريا", false, "no share: موسكو / كوريا");
    check_share("مدرسة", "مدرس", false, "no share: مدرسة / مدرس (ة is not dropped)");
    check_share("الكرملين", "كرمل", false, "no share: الكرملين / كرمل");
    check_share("ولد", "بلد", true, "share: ولد / بلد both give لد (the rule over-strips)");
    check_share("ولد", "ولدان", false, "no share: ولد / ولدان");
    check_share("روسيا", "وسيا", false, "no share: ر is no proclitic");
}

static void test_search_words(void **state)
{
    (void)state;
    check_forms("قال بوتين، في ٢٠٢٣: «الكرملين» يرحب بـ Kim-Jong 3.5!",
                "0:قال 1:بوتين 2:في 3:2023 4:الكرملين 4:كرملين 5:يرحب 6:ب 7:kim "
                "8:jong 9:3 10:5",
                11, "words: a sentence with punctuation, digits, tatweel and Latin");
    check_forms("Hello, World!", "0:hello 1:world", 2, "words: Latin");
    check_forms("don't", "0:don 1:t", 2, "words: an apostrophe separates");
    check_forms("\u0645\u064A" ZWNJ "\u062E\u0648\u0627\u0647\u0645", "0:ميخواهم 0:ميخوا", 1,
                "words: ZWNJ inside a word joins");
    check_forms("a\u200Fb a\xC2\xAD" "b a\x01" "b", "0:ab 1:ab 2:ab", 3,
                "words: RLM, soft hyphen, control vanish inside a word");
    check_forms("e\u0301 \u0301x", "0:\u00E9 1:x", 2, "words: a mark joins its letter, starts none");
    check_forms("\u0640\u0640 \u200C", "", 0, "words: tatweel and ZWNJ alone make no word");
    check_forms("a\xF0\x9F\x98\x80" "b", "0:a 1:b", 2, "words: an emoji separates");
    check_forms("", "", 0, "words: empty string has no word");
    check_forms(" \t\n،.!؟ ", "", 0, "words: only separators");
    check(text_search_forms(NULL, log_form, NULL) == -1, "words: NULL gives -1");

    struct form_log log = {0};
    check(text_search_forms("ab \xFF cd", log_form, &log) == -1 && log.calls == 0,
          "words: invalid UTF-8 gives -1 before any call");
    check(text_search_forms("ab \xC0\x80", log_form, &log) == -1, "words: overlong gives -1");
    check(text_search_forms("قال بوتين في", NULL, NULL) == 3, "words: NULL fn counts words");

    struct form_log stop3 = {.stop_after = 3};
    check(text_search_forms("وبالكرملين بوتين", log_form, &stop3) == 1 &&
              strcmp(stop3.buf, "0:وبالكرملين 0:بالكرملين 0:الكرملين") == 0,
          "words: stop inside the first word");
    struct form_log stop5 = {.stop_after = 5};
    check(text_search_forms("وبالكرملين بوتين قال", log_form, &stop5) == 2 &&
              stop5.calls == 5,
          "words: stop on the second word counts two words");
}

/* A word of n copies of unit. */
static char *word_of(const char *unit, size_t n)
{
    return repeat_new(unit, n, "");
}

static void test_search_long_words(void **state)
{
    (void)state;
    char *w200 = word_of("b", TEXT_SEARCH_WORD_MAX_BYTES);
    char *w201 = word_of("b", TEXT_SEARCH_WORD_MAX_BYTES + 1);
    char *marked = word_of("\u0628\u064E", 60); /* 240 bytes, 120 once the fatha goes */
    size_t n = strlen(w201) + 16;
    char *in = malloc(n), *want = malloc(n + 16);

    snprintf(in, n, "x %s y", w201);
    check_forms(in, "0:x 2:y", 3, "long: a word over the limit is skipped, index advances");
    snprintf(in, n, "%s", w200);
    snprintf(want, n + 16, "0:%s", w200);
    check_forms(in, want, 1, "long: a word at the limit is kept");
    struct form_set set = {0};
    check(text_search_forms(marked, collect_form, &set) == 1 && set.n >= 1 &&
              strlen(set.forms[0]) == 120,
          "long: the limit applies after normalization");
    free(w200);
    free(w201);
    free(marked);
    free(in);
    free(want);
}

/* Matches forms equal to one of the NULL-terminated strings at arg. */
static int match_any(const char *form, size_t len, void *arg)
{
    for (const char *const *q = arg; *q != NULL; q++)
        if (strlen(*q) == len && memcmp(*q, form, len) == 0)
            return 1;
    return 0;
}

/* Matches a form that a query word gave: the set of the query's forms. */
static int match_set(const char *form, size_t len, void *arg)
{
    const struct form_set *set = arg;
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->forms[i]) == len && memcmp(set->forms[i], form, len) == 0)
            return 1;
    return 0;
}

static int match_none(const char *form, size_t len, void *arg)
{
    (void)form;
    (void)len;
    (void)arg;
    return 0;
}

static void check_snippet(const char *text, size_t max, const char *const *query,
                          const char *want, const char *name)
{
    char *got = text_snippet_new(text, max, match_any, (void *)query);
    check_str(got, want, name);
    free(got);
}

/* "w0 w1 ... w(n-1)" with word at index at replaced by word. */
static char *numbered_words_new(size_t n, size_t at, const char *word)
{
    char *out = malloc(n * 16 + strlen(word) + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(out + len, i ? " " : "");
        if (i == at)
            len += (size_t)sprintf(out + len, "%s", word);
        else
            len += (size_t)sprintf(out + len, "w%zu", i);
    }
    return out;
}

static void test_snippet_window(void **state)
{
    (void)state;
    static const char *const target[] = {"target", NULL};
    char *mid = numbered_words_new(40, 20, "target");
    check_snippet(mid, 8, target, "…w18 w19 <mark>target</mark> w21 w22 w23 w24 w25…",
                  "snippet: match in the middle, cut both sides");
    free(mid);
    char *start = numbered_words_new(40, 0, "Target");
    check_snippet(start, 8, target, "<mark>Target</mark> w1 w2 w3 w4 w5 w6 w7…",
                  "snippet: match at the start, no leading …");
    free(start);
    char *end = numbered_words_new(40, 39, "target.");
    check_snippet(end, 8, target, "…w32 w33 w34 w35 w36 w37 w38 <mark>target</mark>.",
                  "snippet: match at the end, window moves back, trailing text kept");
    free(end);
    char *all = numbered_words_new(5, 2, "target");
    check_snippet(all, 8, target, "w0 w1 <mark>target</mark> w3 w4", "snippet: short text whole");
    check_snippet(all, 1, target, "…<mark>target</mark>…", "snippet: one word");
    free(all);
    check_snippet("a, b, target, c, d", 2, target, "…<mark>target</mark>, c…",
                  "snippet: text between window words kept, cut text dropped");
    check_snippet("«target», said he.", 10, target, "«<mark>target</mark>», said he.",
                  "snippet: text before the first and after the last word kept");
}

static void test_snippet_content(void **state)
{
    (void)state;
    static const char *const putin[] = {"بوتين", NULL};
    static const char *const world[] = {"world", NULL};
    static const char *const kremlin[] = {"كرملين", NULL};
    static const char *const second[] = {"second", NULL};
    static const char *const target[] = {"target", NULL};
    static const char *const naft[] = {"نفط", NULL};
    check_snippet("<script>alert('x')</script> بوتين", 10, putin,
                  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>بوتين</mark>",
                  "snippet: <script> and quotes escaped");
    check_snippet("Hello, <b>world</b> & \"friends\" 'x'", 10, world,
                  "Hello, &lt;b&gt;<mark>world</mark>&lt;/b&gt; &amp; &quot;friends&quot; &#39;x&#39;",
                  "snippet: & < > \" ' escaped around a match");
    check_snippet("التقى بوتين كيم. وقال بوتين إن لبوتين", 10, putin,
                  "التقى <mark>بوتين</mark> كيم. وقال <mark>بوتين</mark> إن <mark>لبوتين</mark>",
                  "snippet: several marks");
    check_snippet("اجتماع بِالْكَرْمَلِين اليوم", 10, kremlin,
                  "اجتماع <mark>بِالْكَرْمَلِين</mark> اليوم",
                  "snippet: a stripped form marks the original spelling with tashkeel");
    check_snippet("في " KEHEH "رملین", 10, kremlin, "في <mark>" KEHEH "رملین</mark>",
                  "snippet: Persian letters marked as written");
    check_snippet("سعر الن\u0640\u0640ف\u0640\u0640ط", 10, naft,
                  "سعر <mark>الن\u0640\u0640ف\u0640\u0640ط</mark>",
                  "snippet: النــفــط matches نفط through the article, tatweel kept");
    check_snippet("سعر \u0646\u0640\u0640\u0641\u0640\u0640\u0637 اليوم", 10, naft,
                  "سعر <mark>\u0646\u0640\u0640\u0641\u0640\u0640\u0637</mark> اليوم",
                  "snippet: tatweel kept in the marked word");
    check_snippet("first line\n\n  second\tline\r\nthird", 10, second,
                  "first line <mark>second</mark> line third", "snippet: newlines collapsed");
    check_snippet("  \n target \u00A0\n", 10, target, "<mark>target</mark>",
                  "snippet: trimmed");
    check_snippet("a\x01" "b target", 10, target, "ab <mark>target</mark>",
                  "snippet: controls dropped");
    check_snippet("w1 w2", 10, target, NULL, "snippet: no match gives NULL");
    check_snippet("", 10, target, NULL, "snippet: empty text gives NULL");
    check_snippet("target \xFF", 10, target, NULL, "snippet: invalid UTF-8 gives NULL");
    check_snippet("target", 0, target, NULL, "snippet: max_words 0 gives NULL");
    char *none = text_snippet_new("بوتين في الكرملين", 10, match_none, NULL);
    check(none == NULL, "snippet: a matcher that never matches gives NULL");
    check(text_snippet_new(NULL, 10, match_none, NULL) == NULL, "snippet: NULL text");
    check(text_snippet_new("x", 10, NULL, NULL) == NULL, "snippet: NULL matcher");

    /* a query run through text_search_forms, as the server does */
    struct form_set query = {0};
    text_search_forms("الكرملين", collect_form, &query);
    char *got = text_snippet_new("صرّح المتحدث بالكرملين أمس، ثم عاد إلى الكرملين.", 10,
                                 match_set, &query);
    check_str(got, "صرّح المتحدث <mark>بالكرملين</mark> أمس، ثم عاد إلى <mark>الكرملين</mark>.",
              "snippet: query الكرملين marks بالكرملين and الكرملين");
    free(got);
}

/* Code points for the generated search texts: proclitic letters, marks, invisibles, separators. */
static const unsigned search_pool[] = {
    0x627, 0x644, 0x644, 0x648, 0x641, 0x628, 0x643, 0x629, 0x62A, 0x64A, 0x623, 0x6A9,
    0x6CC, 0x640, 0x64E, 0x651, 0x200C, 0x200F, ' ', ' ', '.', '<', '&', '"', '\n', 'a',
    'B', 0x301, 0x661, 0x6F2, '7', 0xAB, 0x60C,
};

/* The form log of s, or "" when it does not fit; *count gets the result. */
static void log_of(const char *s, struct form_log *log, long *count)
{
    memset(log, 0, sizeof *log);
    *count = text_search_forms(s, log_form, log);
}

/* Every form of a generated text is itself a one-word text whose first form it is. */
static int check_form_fixed(size_t word, const char *form, size_t len, void *arg)
{
    struct form_set set = {0};
    char copy[TEXT_SEARCH_WORD_MAX_BYTES + 1];
    int *bad = arg;
    (void)word;
    memcpy(copy, form, len);
    copy[len] = '\0';
    long n = text_search_forms(copy, collect_form, &set);
    if (len == 0 || len > TEXT_SEARCH_WORD_MAX_BYTES || n != 1 || strcmp(set.forms[0], copy) != 0)
        (*bad)++;
    return 0;
}

/* True when snip has a mark, and outside <mark> and </mark> only escaped HTML, no newline or double space. */
static bool safe_snippet(const char *snip)
{
    static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    bool marked = false;
    for (const char *p = snip; *p != '\0'; p++) {
        if (strncmp(p, "<mark>", 6) == 0 || strncmp(p, "</mark>", 7) == 0) {
            marked = true;
            p = strchr(p, '>');
            continue;
        }
        bool entity = false;
        for (size_t i = 0; *p == '&' && i < 5; i++)
            entity = entity || strncmp(p, entities[i], strlen(entities[i])) == 0;
        if ((*p == '&' && !entity) || strchr("<>\"'\n", *p) != NULL || strncmp(p, "  ", 2) == 0)
            return false;
    }
    return marked;
}

/* Properties on 2000 generated texts: normalizing first changes no form, forms are fixed points,
 * a text matching its own first form has a snippet with a mark and no raw < & or ". */
static void test_search_generated(void **state)
{
    (void)state;
    unsigned long rng = 777;
    int bad = 0;
    static struct form_log raw, norm;
    for (int it = 0; it < 2000; it++) {
        char s[160];
        size_t len = (next_random(&rng) >> 33) % 30;
        random_text(s, len, search_pool, sizeof search_pool / sizeof search_pool[0], &rng);
        char *normalized = text_normalize_new(s);
        long c1, c2;
        log_of(s, &raw, &c1);
        log_of(normalized, &norm, &c2);
        int fixed_bad = 0;
        text_search_forms(s, check_form_fixed, &fixed_bad);
        struct form_set first = {0};
        text_search_forms(s, collect_form, &first);
        first.n = first.n > 0 ? 1 : 0;
        char *snip = text_snippet_new(s, 4, match_set, &first);
        bool snip_ok = c1 == 0 ? snip == NULL : snip != NULL && safe_snippet(snip);
        bool ok = c1 >= 0 && c1 == c2 && strcmp(raw.buf, norm.buf) == 0 && fixed_bad == 0 && snip_ok;
        if (!ok && bad++ < 3)
            printf("# generated search text failing: \"%s\" -> \"%s\" / \"%s\"\n", s,
                   raw.buf, snip ? snip : "(null)");
        free(normalized);
        free(snip);
    }
    check(bad == 0, "generated: 2000 search texts keep every property");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_proclitics),
        cmocka_unit_test(test_search_variants),
        cmocka_unit_test(test_search_words),
        cmocka_unit_test(test_search_long_words),
        cmocka_unit_test(test_snippet_window),
        cmocka_unit_test(test_snippet_content),
        cmocka_unit_test(test_search_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
