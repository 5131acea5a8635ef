/* test_log.c: unit tests of server/infra/log.c: the one escaping of log fields, and access
 * lines that stay one line (and one JSON object) whatever a client sent. */
#include "infra/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"

/* log_escape into a buffer of size bytes, as a string the test can compare. */
static const char *esc(const char *s, bool spaces, size_t size)
{
    static char out[4096];
    check(size <= sizeof out, "esc: buffer size");
    log_escape(s, out, size, spaces);
    return out;
}

static void test_plain_text_kept(void **state)
{
    (void)state;
    check_str(esc("/v1/articles?limit=1", false, 64), "/v1/articles?limit=1", "ASCII as it is");
    check_str(esc("/v1/tags/وسم", false, 64), "/v1/tags/وسم", "Arabic as it is");
    check_str(esc("emoji 😀", false, 64), "emoji 😀", "four-byte UTF-8 as it is");
    check_str(esc("a b", false, 64), "a b", "a space kept when spaces is not set");
    check_str(esc("a b", true, 64), "a\\x20b", "a space escaped when fields part on spaces");
    check_str(esc(NULL, false, 64), "", "NULL as empty");
    check_str(esc("", false, 64), "", "empty");
}

static void test_controls_escaped(void **state)
{
    (void)state;
    check_str(esc("G\x1b[31mET", false, 64), "G\\x1b[31mET", "ESC");
    check_str(esc("a\r\nb", false, 64), "a\\x0d\\x0ab", "CR and LF");
    check_str(esc("\t\x7f", false, 64), "\\x09\\x7f", "TAB and DEL");
    check_str(esc("x\xc2\x9by", false, 64), "x\\xc2\\x9by", "a C1 control (CSI) in UTF-8");
    check_str(esc("x\xe2\x80\xa8y", false, 64), "x\\xe2\\x80\\xa8y", "U+2028");
    check_str(esc("a\\x1b", false, 64), "a\\\\x1b", "a backslash, so no text forges an escape");
}

static void test_invalid_utf8_escaped(void **state)
{
    (void)state;
    check_str(esc("\xff\xfe", false, 64), "\\xff\\xfe", "bytes that never start UTF-8");
    check_str(esc("\x80z", false, 64), "\\x80z", "a lone continuation byte");
    check_str(esc("\xd8", false, 64), "\\xd8", "a sequence cut at the end");
    check_str(esc("\xd8z", false, 64), "\\xd8z", "a sequence cut short");
    check_str(esc("\xc0\xaf", false, 64), "\\xc0\\xaf", "an overlong slash");
    check_str(esc("\xed\xa0\x80", false, 64), "\\xed\\xa0\\x80", "a surrogate");
    check_str(esc("\xf4\x90\x80\x80", false, 64), "\\xf4\\x90\\x80\\x80", "past U+10FFFF");
    check_str(esc("\xe0\x80\xaf", false, 64), "\\xe0\\x80\\xaf", "an overlong three-byte form");
}

static void test_bounded(void **state)
{
    (void)state;
    check_str(esc("abcdefghij", false, 11), "abcdefghij", "exactly fits");
    check_str(esc("abcdefghijk", false, 11), "abcdefg...", "cut with a mark");
    check_str(esc("\x1b\x1b\x1b", false, 10), "\\x1b...", "an escape is never cut in two");
    check_str(esc("ابتث", false, 8), "اب...", "a UTF-8 character is never cut in two");
    check_str(esc("abc", false, 1), "", "one byte: only the NUL");
    char out[2] = "x";
    check(log_escape("abc", out, 0, false) == 0 && out[0] == 'x', "size 0: nothing written");
    check(log_escape("a\x01", out, sizeof out, false) == 0, "no room for the unit nor the mark");
}

/* Sends stdout to a new temporary file (its name into path) until stdout_read_back;
 * returns the file's descriptor, *saved the real stdout's. */
static int stdout_to_file(char *path, int *saved)
{
    int fd = mkstemp(path);
    check(fd >= 0, "a temporary file");
    fflush(stdout);
    *saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    return fd;
}

/* stdout back as it was; the file, rewound to be read (the caller closes and unlinks it). */
static FILE *stdout_read_back(int fd, int saved)
{
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    return f;
}

/* What log_access writes for e, in text or JSON, read back from a file. */
static char *access_line_new(const struct access_entry *e, bool text)
{
    char path[] = "/tmp/khabar-test-log-XXXXXX";
    int saved, fd = stdout_to_file(path, &saved);
    log_init(text);
    log_access(e);
    FILE *f = stdout_read_back(fd, saved);
    char *line = calloc(1, 65536);
    size_t n = fread(line, 1, 65535, f);
    line[n] = '\0';
    fclose(f);
    unlink(path);
    return line;
}

/* Exactly one line, ending in a newline, with no control byte before it. */
static bool one_clean_line(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[n - 1] != '\n')
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static void test_access_lines(void **state)
{
    (void)state;
    char long_method[3000];
    memset(long_method, 'A', sizeof long_method - 1);
    long_method[sizeof long_method - 1] = '\0';
    const char *methods[] = { "G\x1b[2JET", "GET\r\n2026-01-01 forged line", "\xff\xfe\x80",
                              long_method };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct access_entry e = { .request_id = "id\x1b\n1", .client = "127.0.0.1",
                                  .method = methods[i], .path = "/v1/\xc0\r\n\x1b",
                                  .route = NULL, .status = 400, .bytes = 10,
                                  .duration_ms = 1.5 };
        char *text = access_line_new(&e, true);
        check(one_clean_line(text), "text: one line, no raw control byte");
        check(strstr(text, " 400 10 ") != NULL, "text: the status and bytes are there");
        free(text);
        char *js = access_line_new(&e, false);
        check(one_clean_line(js), "JSON: one line, no raw control byte");
        json_error_t err;
        json_t *doc = json_loads(js, 0, &err);
        check(json_is_object(doc), "JSON: the line parses");
        check(json_integer_value(json_object_get(doc, "status")) == 400, "JSON: status");
        check(json_is_string(json_object_get(doc, "method")), "JSON: the method is a string");
        json_decref(doc);
        free(js);
    }
}

/* Lines logged by two threads while the writer gathers them into batches (more lines
 * within one flush interval than a buffer holds): after log_stop_writer every line is in
 * stdout exactly once, whole, and each thread's lines in the order it wrote them. */
#define WRITER_LINES 6000

static void *log_lines_of(void *name)
{
    for (int i = 0; i < WRITER_LINES; i++) {
        struct access_entry e = { .request_id = name, .client = "127.0.0.1", .method = "GET",
                                  .path = "/v1/articles/%d-padding-to-make-the-lines-longer",
                                  .route = "articles_get", .status = 200, .bytes = (size_t)i,
                                  .duration_ms = 0.25 };
        log_access(&e);
    }
    return NULL;
}

static void test_writer_keeps_every_line(void **state)
{
    (void)state;
    char path[] = "/tmp/khabar-test-log-XXXXXX";
    int saved, fd = stdout_to_file(path, &saved);
    log_init(false);
    check(log_start_writer(200), "the writer starts"); /* long enough for a buffer to fill */
    pthread_t a, b;
    pthread_create(&a, NULL, log_lines_of, "thread-a");
    pthread_create(&b, NULL, log_lines_of, "thread-b");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    log_stop_writer();
    log_message("info", "after the writer");
    FILE *f = stdout_read_back(fd, saved);
    char line[1024];
    long next_a = 0, next_b = 0, other = 0;
    bool in_order = true, last_after = false;
    while (fgets(line, sizeof line, f) != NULL) {
        json_error_t err;
        json_t *doc = json_loads(line, 0, &err);
        const char *id = json_string_value(json_object_get(doc, "request_id"));
        long bytes = (long)json_integer_value(json_object_get(doc, "bytes"));
        last_after = id == NULL && json_string_value(json_object_get(doc, "msg")) != NULL &&
                     strcmp(json_string_value(json_object_get(doc, "msg")), "after the writer") == 0;
        if (id != NULL && strcmp(id, "thread-a") == 0)
            in_order = in_order && bytes == next_a++;
        else if (id != NULL && strcmp(id, "thread-b") == 0)
            in_order = in_order && bytes == next_b++;
        else if (!last_after)
            other++;
        json_decref(doc);
    }
    fclose(f);
    unlink(path);
    check(next_a == WRITER_LINES && next_b == WRITER_LINES, "every line of both threads is written");
    check(in_order, "each thread's lines in its order");
    check(other == 0, "no line broken or mixed with another");
    check(last_after, "a line after the writer stopped comes after all of them");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_kept),
        cmocka_unit_test(test_controls_escaped),
        cmocka_unit_test(test_invalid_utf8_escaped),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_access_lines),
        cmocka_unit_test(test_writer_keeps_every_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
