/*
 * test_basics.c - platform facts, the error table and the name grammar.
 */
#include "test.h"

#include <stdlib.h>

int test_platform_facts(void)
{
    char facts[256];
    uint64_t page = xipc__sys_page_size();

    xipc__sys_facts(facts, sizeof facts);
    printf("xipc %s: %s\n", xipc_version(), facts);
    CHECK(strcmp(xipc__sys_backend(), "posix") == 0 ||
          strcmp(xipc__sys_backend(), "win32") == 0);
    CHECK(strstr(facts, xipc__sys_backend()) != NULL);
    CHECK(page >= 4096 && (page & (page - 1)) == 0);
    CHECK(xipc_getpid() > 0);
    /* The monotonic clock moves forward across a sleep. */
    {
        int64_t a = xipc_now_ns();
        xipc_sleep_ms(20);
        CHECK(xipc_now_ns() - a >= 19 * 1000000LL);
    }
    return 0;
}

int test_errors_table(void)
{
    static const int codes[] = {
#define CODE(name, value, msg) XIPC_##name,
        XIPC_ERRNO_MAP(CODE)
#undef CODE
    };
    size_t n = sizeof codes / sizeof codes[0], i, j;

    CHECK(n >= 20);
    CHECK_STR(xipc_err_name(0), "XIPC_OK");
    CHECK_STR(xipc_strerror(0), "success");
    CHECK_STR(xipc_err_name(12345), "XIPC_E?");
    CHECK_STR(xipc_strerror(-9999), "unknown error");
    for (i = 0; i < n; i++) {
        /* Codes are negative, numbered -1.. without gaps, so the numbers
         * mean the same on every platform and in every build. */
        CHECK_EQ(codes[i], -(int)(i + 1));
        CHECK(strncmp(xipc_err_name(codes[i]), "XIPC_E", 6) == 0);
        CHECK(strcmp(xipc_strerror(codes[i]), "unknown error") != 0);
        for (j = 0; j < i; j++) {
            CHECK(strcmp(xipc_err_name(codes[i]), xipc_err_name(codes[j])));
            CHECK(strcmp(xipc_strerror(codes[i]), xipc_strerror(codes[j])));
        }
    }
    CHECK_EQ(XIPC_EINVAL, -1);
    CHECK_EQ(XIPC_ESYS, -20);
    CHECK_STR(xipc_err_name(XIPC_EOWNERDEAD), "XIPC_EOWNERDEAD");
    /* A failure says what failed, on which name. */
    {
        xipc_shm *s;
        const char *name = t_name("missing");
        CHECK_RC(xipc_shm_open(&s, name, XIPC_RDWR), XIPC_ENOENT);
        CHECK(strstr(xipc_last_error(), name) != NULL);
    }
    CHECK(strlen(xipc_version()) >= 5);
    return 0;
}

static const char *const bad_names[] = {
    "",
    ".",
    "..",
    "-lead",
    "_lead",
    ".hidden",
    "a/b",
    "/abs",
    "a\\b",
    "Local\\x",
    "Global\\x",
    "a b",
    " lead",
    "trail ",
    "tab\tx",
    "nl\nx",
    "a:b",
    "a*b",
    "a?b",
    "a\"b",
    "a<b",
    "a>b",
    "a|b",
    "a%b",
    "a$b",
    "a~b",
    "a+b",
    "a=b",
    "a,b",
    "a;b",
    "a@b",
    "a#b",
    "caf\xc3\xa9",
    "\xff",
    "a'b",
    "a(b)",
    "a[b]",
    "a{b}",
    /* 64 characters: one over XIPC_NAME_MAX */
    "a123456789012345678901234567890123456789012345678901234567890123",
};

int test_names_bad_rejected(void)
{
    size_t n = sizeof bad_names / sizeof bad_names[0], i;
    xipc_shm *s = NULL;

    CHECK(n >= 30);
    CHECK_RC(xipc_name_check(NULL), XIPC_EINVAL);
    /* NULL asks a create for a fresh name (test_api.c); an open has none. */
    CHECK_RC(xipc_shm_open(&s, NULL, XIPC_RDWR), XIPC_EINVAL);
    for (i = 0; i < n; i++) {
        const char *bad = bad_names[i];
        CHECK_RC(xipc_name_check(bad), XIPC_EINVAL);
        CHECK_RC(xipc_shm_create(&s, bad, 64), XIPC_EINVAL);
        CHECK_RC(xipc_shm_open(&s, bad, XIPC_RDWR), XIPC_EINVAL);
        CHECK_RC(xipc_shm_open(&s, bad, XIPC_RDONLY), XIPC_EINVAL);
        CHECK_RC(xipc_unlink(bad), XIPC_EINVAL);
        CHECK(s == NULL);
    }
    return 0;
}

int test_names_case_and_length(void)
{
    char upper[XIPC_NAME_MAX + 1], longest[XIPC_NAME_MAX + 1];
    const char *lower = t_name("mixed.case_name");
    xipc_shm *a, *b;
    size_t i;

    /* "Job" and "job" name one object on every platform. */
    for (i = 0; lower[i]; i++)
        upper[i] = (lower[i] >= 'a' && lower[i] <= 'z') ? lower[i] - 32
                                                        : lower[i];
    upper[i] = '\0';
    CHECK_OK(xipc_name_check(upper));
    CHECK_OK(xipc_shm_create(&a, upper, 100));
    CHECK_STR(xipc_shm_name(a), lower);
    CHECK_RC(xipc_shm_create(&b, lower, 100), XIPC_EEXIST);
    CHECK_OK(xipc_shm_open(&b, lower, XIPC_RDWR));
    CHECK_STR(xipc_shm_name(b), lower);
    ((char *)xipc_shm_data(a))[0] = 'J';
    CHECK_EQ(((char *)xipc_shm_data(b))[0], 'J');
    CHECK_OK(xipc_shm_close(b));
    CHECK_OK(xipc_shm_close(a));

    /* Exactly XIPC_NAME_MAX characters is fine, and all grammar characters. */
    snprintf(longest, sizeof longest, "%s", t_name("L"));
    for (i = strlen(longest); i < XIPC_NAME_MAX; i++)
        longest[i] = "Az09._-"[i % 7];
    longest[XIPC_NAME_MAX] = '\0';
    CHECK_OK(xipc_name_check(longest));
    CHECK_OK(xipc_shm_create(&a, longest, 1));
    CHECK_EQ(strlen(xipc_shm_name(a)), XIPC_NAME_MAX);
    CHECK_OK(xipc_shm_close(a));
    CHECK_EQ(xipc__seg_present(lower), 0);
    return 0;
}
