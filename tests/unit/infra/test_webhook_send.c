/* test_webhook_send.c: unit tests of server/infra/webhook_send.c: signatures by the Standard
 * Webhooks convention (a vector computed with Python's hmac, as a receiver checks it), secrets
 * refused when malformed, new secrets' form, and which endpoint URLs are allowed (address
 * literals only: no name is resolved here). */
#include "infra/webhook_send.h"

#include <stdio.h>

#include "unit.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define MSG_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define BODY "{\"test\": 2432232314}"

static void test_signature_vector(void **state)
{
    (void)state;
    char sig[128];
    check(webhook_sign(SECRET, MSG_ID, 1614265330, BODY, sig, sizeof sig), "signs");
    check_str(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "the HMAC-SHA256 of id.timestamp.body");
    check(webhook_sign(SECRET, MSG_ID, 1614265331, BODY, sig, sizeof sig), "signs another time");
    check(strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0, "the timestamp is signed");
    check(webhook_sign(SECRET, MSG_ID, 1614265330, "{\"test\": 2432232315}", sig, sizeof sig) &&
              strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0,
          "the body is signed");
}

static void test_malformed_secrets(void **state)
{
    (void)state;
    char sig[128];
    check(!webhook_sign(NULL, MSG_ID, 1, BODY, sig, sizeof sig), "no secret");
    check(!webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", MSG_ID, 1, BODY, sig, sizeof sig), "no whsec_ prefix");
    check(!webhook_sign("whsec_", MSG_ID, 1, BODY, sig, sizeof sig), "an empty key");
    check(!webhook_sign("whsec_abc", MSG_ID, 1, BODY, sig, sizeof sig), "base64 of a wrong length");
    check(!webhook_sign("whsec_!!!!", MSG_ID, 1, BODY, sig, sizeof sig), "not base64");
    check(!webhook_sign(SECRET, MSG_ID, 1, BODY, sig, 20), "too small a buffer");
}

static void test_new_secrets(void **state)
{
    (void)state;
    char a[WEBHOOK_SECRET_LEN + 1], b[WEBHOOK_SECRET_LEN + 1], sig[128];
    check(webhook_secret_new(a, sizeof a) && webhook_secret_new(b, sizeof b), "made");
    check(strncmp(a, "whsec_", 6) == 0 && strlen(a) == WEBHOOK_SECRET_LEN, "whsec_ and 32 base64 characters");
    check(strcmp(a, b) != 0, "each its own");
    check(webhook_sign(a, "msg_1", 1, "{}", sig, sizeof sig), "a new secret signs");
    check(!webhook_secret_new(a, WEBHOOK_SECRET_LEN), "refused when out is too small");
}

static void test_urls_allowed(void **state)
{
    (void)state;
    char why[256];
    check(webhook_url_allowed("https://93.184.215.14/hook", false, why, sizeof why), "a public address");
    check(webhook_url_allowed("http://[2606:4700::1111]:8080/x", false, why, sizeof why), "a public IPv6 literal");
    static const char *const refused[] = { "http://127.0.0.1/hook", "http://10.0.0.5:8080/", "http://[::1]/",
                                           "http://169.254.169.254/latest", "http://[fe80::1]/",
                                           "http://0.0.0.0/" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        check(!webhook_url_allowed(refused[i], false, why, sizeof why), refused[i]);
        check(strstr(why, "inside the network") != NULL, "says why");
        check(webhook_url_allowed(refused[i], true, why, sizeof why), "allowed with WEBHOOK_ALLOW_PRIVATE");
    }
    static const char *const malformed[] = { "ftp://93.184.215.14/x", "93.184.215.14/x", "http://", "", "https:///x",
                                             "javascript:alert(1)" };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        check(!webhook_url_allowed(malformed[i], true, why, sizeof why), malformed[i]);
        check(strstr(why, "http or https") != NULL, "says what a URL must be");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_vector),
        cmocka_unit_test(test_malformed_secrets),
        cmocka_unit_test(test_new_secrets),
        cmocka_unit_test(test_urls_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
