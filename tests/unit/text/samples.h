/* samples.h: what the text unit tests share: letters by name, sample titles, UTF-8 by hand,
 * generated texts. */
#ifndef KHABAR_TEST_TEXT_SAMPLES_H
#define KHABAR_TEST_TEXT_SAMPLES_H

#include <stdlib.h>
#include <string.h>

/* Names used below; the escapes make letter variants that look alike unambiguous. */
#define KAF "\u0643"
#define KEHEH "\u06A9"
#define YEH "\u064A"
#define FARSI_YEH "\u06CC"
#define ALEF_MAKSURA "\u0649"
#define ALEF "\u0627"
#define ALEF_MADDA "\u0622"
#define ALEF_HAMZA_ABOVE "\u0623"
#define ALEF_HAMZA_BELOW "\u0625"
#define ALEF_WASLA "\u0671"
#define TATWEEL "\u0640"
#define ZWNJ "\u200C"

/* كوريا الشمالية with Kaf and Yeh, and کوریا الشمالیة with Keheh and Farsi Yeh */
#define KOREA_AR KAF "\u0648\u0631" YEH "\u0627"
#define NORTH_AR "\u0627\u0644\u0634\u0645\u0627\u0644" YEH "\u0629"
#define KOREA_FA KEHEH "\u0648\u0631" FARSI_YEH "\u0627"
#define NORTH_FA "\u0627\u0644\u0634\u0645\u0627\u0644" FARSI_YEH "\u0629"

/* أحمد and its alef variants; احمد is the key of all of them */
#define HMD "\u062D\u0645\u062F"

#define SAMPLE_TITLE "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
#define SAMPLE_SLUG "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
#define SAMPLE_KEY                                                                         \
    "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-" ALEF "\u0644" YEH "-" KOREA_AR "-" NORTH_AR

/* UTF-8 of one code point, written here by hand so the tests do not trust the code under test. */
static inline size_t encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* before + U+cp + after in buf (NUL-terminated). */
static inline const char *around(char *buf, const char *before, unsigned cp, const char *after)
{
    size_t n = strlen(before);
    memcpy(buf, before, n);
    n += encode(cp, buf + n);
    strcpy(buf + n, after);
    return buf;
}

/* unit repeated times times, joined by sep; caller frees. */
static inline char *repeat_new(const char *unit, size_t times, const char *sep)
{
    char *out = malloc(times * (strlen(unit) + strlen(sep)) + 1);
    out[0] = '\0';
    for (size_t i = 0; i < times; i++) {
        if (i > 0)
            strcat(out, sep);
        strcat(out, unit);
    }
    return out;
}

/* One step of a fixed-seed generator (a 64-bit LCG), so generated texts are the same each run. */
static inline unsigned long next_random(unsigned long *rng)
{
    *rng = *rng * 6364136223846793005UL + 1442695040888963407UL;
    return *rng;
}

/* len code points drawn from pool (npool of them) into s as UTF-8, NUL-terminated. */
static inline const char *random_text(char *s, size_t len, const unsigned *pool, size_t npool,
                                      unsigned long *rng)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += encode(pool[(next_random(rng) >> 33) % npool], s + n);
    s[n] = '\0';
    return s;
}

#endif
