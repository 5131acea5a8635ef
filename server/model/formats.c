/* formats.c: RFC 3339 date-times and BCP 47 language tags, as an article's fields have them. */
#include "model/formats.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads exactly n decimal digits at *p. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

bool rfc3339_is_valid(const char *s)
{
    int year, month, day, hour, minute, second, oh, om;
    const char *p = s;
    if (read_digits(&p, 4, &year) || *p++ != '-' || read_digits(&p, 2, &month) || *p++ != '-' ||
        read_digits(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (read_digits(&p, 2, &hour) || *p++ != ':' || read_digits(&p, 2, &minute) ||
        *p++ != ':' || read_digits(&p, 2, &second))
        return false;
    if (year < 1000 || year > 9998 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p))
            p++, digits++;
        if (digits == 0 || digits > 9)
            return false;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    if (read_digits(&p, 2, &oh) || *p++ != ':' || read_digits(&p, 2, &om))
        return false;
    return oh <= 15 && om <= 59 && *p == '\0'; /* PostgreSQL stores offsets to ±15:59 */
}

/* BCP 47 in its common shape: a 2-3 (or 4-8) letter language, then 1-8 character subtags. */
bool lang_is_valid(const char *s)
{
    size_t len = strlen(s), run = 0, i;
    if (len == 0 || len > FORMAT_LANG_TAG_MAX_CHARS)
        return false;
    for (i = 0; i < len && s[i] != '-'; i++)
        if (!isalpha((unsigned char)s[i]) || !isascii((unsigned char)s[i]))
            return false;
    if (i < 2 || i > 8)
        return false;
    for (; i < len; i++) {
        if (s[i] == '-') {
            if (i + 1 == len || s[i + 1] == '-')
                return false;
            run = 0;
        } else if (!isalnum((unsigned char)s[i]) || !isascii((unsigned char)s[i]) || ++run > 8) {
            return false;
        }
    }
    return true;
}

const char *lang_direction(const char *lang)
{
    static const char *const rtl[] = { "ar", "fa", "ur", "he", "iw", "yi", "ps", "sd", "ug",
                                       "ckb", "dv", "ku-arab", "syr", "arc", "nqo", NULL };
    for (const char *const *r = rtl; *r != NULL; r++) {
        size_t n = strlen(*r);
        if (strncasecmp(lang, *r, n) == 0 && (lang[n] == '\0' || lang[n] == '-'))
            return "rtl";
    }
    return "ltr";
}
