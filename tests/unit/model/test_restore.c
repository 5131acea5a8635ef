/* test_restore.c: unit tests of server/model/restore.c: a restore writes the revision's
 * content and keeps the slug, the publication state and the corrections the article has now
 * (restore.h, openapi.yaml's revisions_restore). */
#include "model/restore.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* The compact JSON text of v with its keys sorted, v released; the caller frees. */
static char *sorted_new(json_t *v)
{
    check(v != NULL, "restore: an input is made");
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    return text;
}

static json_t *article(const char *json)
{
    json_error_t err;
    json_t *v = json_loads(json, 0, &err);
    check(v != NULL, "restore: the test's article parses");
    return v;
}

static void test_content_from_the_revision(void **state)
{
    (void)state;
    json_t *old = article("{\"id\":1,\"slug\":\"old-slug\",\"title\":\"العنوان الأول\",\"summary\":\"ملخص\","
                          "\"body\":\"نص أول\",\"lang\":\"ar\",\"status\":\"draft\","
                          "\"published_at\":\"2024-05-01T00:00:00Z\",\"sources\":[\"تاس\"],"
                          "\"tags\":[{\"slug\":\"موسكو\",\"name\":\"موسكو\"}],"
                          "\"related\":[{\"id\":7,\"slug\":\"x\",\"title\":\"x\",\"published_at\":\"2024-01-01T00:00:00Z\"}],"
                          "\"image\":null,\"withdrawn_reason\":null,\"corrections\":[],"
                          "\"authors\":[{\"id\":3,\"slug\":\"a\",\"name\":\"أ\"}],"
                          "\"section\":{\"id\":2,\"slug\":\"s\",\"name\":\"س\"}}");
    json_t *now = article("{\"id\":1,\"slug\":\"new-slug\",\"title\":\"العنوان الثاني\",\"summary\":null,"
                          "\"body\":\"نص ثان\",\"lang\":\"ar\",\"status\":\"withdrawn\","
                          "\"published_at\":\"2024-05-20T09:00:00Z\",\"sources\":[],\"tags\":[],\"related\":[],"
                          "\"image\":{\"url\":\"https://cdn.example/a.jpg\",\"alt\":\"صورة\"},"
                          "\"withdrawn_reason\":\"خطأ\",\"corrections\":[{\"at\":\"2024-05-21T00:00:00Z\",\"text\":\"تصحيح\"}],"
                          "\"authors\":[{\"id\":4,\"slug\":\"b\",\"name\":\"ب\"}],\"section\":null}");
    check_new_str(sorted_new(restore_input_new(old, now)),
                  "{\"authors\":[3],\"body\":\"نص أول\",\"corrections\":[{\"at\":\"2024-05-21T00:00:00Z\",\"text\":\"تصحيح\"}],"
                  "\"lang\":\"ar\",\"published_at\":\"2024-05-20T09:00:00Z\",\"related\":[7],\"section\":2,"
                  "\"slug\":\"new-slug\",\"sources\":[\"تاس\"],\"status\":\"withdrawn\",\"summary\":\"ملخص\","
                  "\"tags\":[\"موسكو\"],\"title\":\"العنوان الأول\",\"withdrawn_reason\":\"خطأ\"}",
                  "the revision's content (its byline and section too); today's slug, state, time, "
                  "reason and corrections; no image since the revision had none");
    json_decref(old);
    json_decref(now);
}

static void test_a_draft_keeps_no_time(void **state)
{
    (void)state;
    json_t *old = article("{\"slug\":\"s\",\"title\":\"t\",\"body\":\"b\",\"lang\":\"ar\",\"status\":\"published\","
                          "\"published_at\":\"2024-05-01T00:00:00Z\",\"sources\":[],\"tags\":[],\"related\":[],"
                          "\"corrections\":[]}");
    json_t *now = article("{\"slug\":\"s\",\"title\":\"t2\",\"body\":\"b2\",\"lang\":\"ar\",\"status\":\"draft\","
                          "\"published_at\":\"2024-06-01T00:00:00Z\",\"sources\":[],\"tags\":[],\"related\":[],"
                          "\"corrections\":[]}");
    char *text = sorted_new(restore_input_new(old, now));
    check(strstr(text, "\"status\":\"draft\"") != NULL && strstr(text, "published_at") == NULL,
          "a draft restored stays a draft, without a time of the revision's");
    free(text);
    json_decref(old);
    json_decref(now);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_from_the_revision),
        cmocka_unit_test(test_a_draft_keeps_no_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
