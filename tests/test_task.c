/*
 * test_task.c - real mode's task and outcome records and the servers'
 * caches of outcome bytes (app/run_task.c, app/run_cache.c): records
 * parsed only when whole and consistent, a cache that keeps, serves,
 * refuses what it does not hold, is cut to the model's contents (and says
 * when the model names one it lacks), and round-trips through its
 * checkpoint bytes, refusing damage, another rank's servers and entries
 * twice.
 */
#include "check.h"

#include "../app/run.h"

static size_t record(uint8_t *p, uint32_t magic, uint32_t n, uint32_t dim)
{
    const uint32_t f[6] = {magic, 2, 5, 9, n, dim};
    for (int k = 0; k < 6; k++)
        dtfl_put_u32(p + 4 * k, f[k]);
    const size_t len = RUN_TASK_HEAD + (size_t)n * (1 + dim);
    for (size_t k = RUN_TASK_HEAD; k < len; k++)
        p[k] = (uint8_t)(k * 7);
    return len;
}

static void test_records(void **state)
{
    (void)state;
    uint8_t p[256];
    run_task_record r;
    size_t len = record(p, 0x4b545444u, 3, 10); /* a task: 3 images of 10 */
    assert_int_equal(len, 24 + 33);
    assert_int_equal(run_task_record_parse(p, len, &r), 0);
    assert_true(r.task && r.twin == 2 && r.slot == 5 && r.key == 9 && r.n == 3 && r.dim == 10);
    assert_ptr_equal(r.labels, p + 24);
    assert_ptr_equal(r.pixels, p + 27);
    assert_int_equal(run_task_record_parse(p, len - 1, &r), -1); /* short */
    assert_int_equal(run_task_record_parse(p, len + 1, &r), -1); /* padded */
    assert_int_equal(run_task_record_parse(p, 23, &r), -1);
    len = record(p, 0x434f5444u, 4, 0); /* an outcome: 4 labels */
    assert_int_equal(run_task_record_parse(p, len, &r), 0);
    assert_true(!r.task && r.n == 4 && r.pixels == NULL);
    len = record(p, 0x434f5444u, 2, 3); /* an outcome has no pixels */
    assert_int_equal(run_task_record_parse(p, len, &r), -1);
    len = record(p, 0x4b545444u, 4, 0); /* a task has */
    assert_int_equal(run_task_record_parse(p, len, &r), -1);
    len = record(p, 0x54534454u, 1, 0); /* another magic */
    assert_int_equal(run_task_record_parse(p, len, &r), -1);
    record(p, 0x4b545444u, 0, 0); /* a count past the bound */
    dtfl_put_u32(p + 16, (1u << 24) + 1);
    assert_int_equal(run_task_record_parse(p, 24, &r), -1);
}

static void test_cache(void **state)
{
    (void)state;
    run_cache *c = NULL;
    dtfl_err err = {0};
    size_t len = 0;
    const uint8_t a[3] = {1, 2, 3}, b[5] = {9, 8, 7, 6, 5};
    assert_int_equal(run_cache_create(&c), 0);
    /* 4 servers on 2 ranks: 0 and 2 on rank 0 */
    assert_int_equal(run_cache_put(c, 0, 7, a, 3, &err), 0);
    assert_int_equal(run_cache_put(c, 2, 4, b, 5, &err), 0);
    assert_int_equal(run_cache_put(c, 2, 5, a, 2, &err), 0);
    assert_int_equal(run_cache_put(c, 0, 7, b, 5, &err), 0); /* replaced */
    assert_int_equal(run_cache_count(c), 3);
    assert_int_equal(run_cache_get(c, 0, 7, &len, &err), 0);
    assert_int_equal(len, 5);
    assert_int_equal(run_cache_get(c, 0, 4, &len, &err), DTFL_EPROTOCOL);
    assert_non_null(strstr(err.msg, "server 0 keeps no outcome of content 4"));
    /* round trip */
    size_t n = run_cache_encoded_size(c);
    assert_int_equal(n, 4 + 3 * 20 + 5 + 5 + 2);
    uint8_t *buf = malloc(n), *again = malloc(n);
    run_cache_encode(c, buf);
    run_cache *d = NULL;
    assert_int_equal(run_cache_create(&d), 0);
    assert_int_equal(run_cache_decode(d, buf, n, 4, 2, 0, "x", &err), 0);
    assert_int_equal(run_cache_encoded_size(d), n);
    run_cache_encode(d, again);
    assert_memory_equal(buf, again, n);
    /* refused: damage, another rank's, too short, padded, twice */
    run_cache_clear(d);
    buf[n - 1] ^= 1;
    assert_int_equal(run_cache_decode(d, buf, n, 4, 2, 0, "x", &err), DTFL_EDATA);
    buf[n - 1] ^= 1;
    run_cache_clear(d);
    assert_int_equal(run_cache_decode(d, buf, n, 4, 2, 1, "x", &err), DTFL_EDATA);
    run_cache_clear(d);
    assert_int_equal(run_cache_decode(d, buf, n - 1, 4, 2, 0, "x", &err), DTFL_EDATA);
    run_cache_clear(d);
    assert_int_equal(run_cache_decode(d, buf, 3, 4, 2, 0, "x", &err), DTFL_EDATA);
    run_cache_clear(d);
    uint8_t *pad = calloc(n + 1, 1);
    memcpy(pad, buf, n);
    assert_int_equal(run_cache_decode(d, pad, n + 1, 4, 2, 0, "x", &err), DTFL_EDATA);
    run_cache_clear(d);
    dtfl_put_u32(buf, 1); /* only the first entry, then the same again */
    const size_t one = 4 + 20 + 5;
    uint8_t *twice = malloc(4 + 2 * (one - 4));
    memcpy(twice, buf, one);
    memcpy(twice + one, buf + 4, one - 4);
    dtfl_put_u32(twice, 2);
    assert_int_equal(run_cache_decode(d, twice, 4 + 2 * (one - 4), 4, 2, 0, "x", &err),
                     DTFL_EDATA);
    assert_non_null(strstr(err.msg, "twice"));
    /* cut to the model's caches: (0, 7) and (2, 5) stay, (2, 4) goes */
    const int keep[] = {0, 7, 2, 5, 1, 3}; /* (1, 3): rank 1's, not checked here */
    assert_int_equal(run_cache_cut(c, keep, 3, 2, 0, &err), 0);
    assert_int_equal(run_cache_count(c), 2);
    assert_int_equal(run_cache_get(c, 2, 4, &len, &err), DTFL_EPROTOCOL);
    const int lacks[] = {0, 7, 2, 6};
    assert_int_equal(run_cache_cut(c, lacks, 2, 2, 0, &err), DTFL_EPROTOCOL);
    assert_non_null(strstr(err.msg, "caches content 6 at server 2"));
    free(buf), free(again), free(pad), free(twice);
    run_cache_destroy(d);
    run_cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_records),
                                       cmocka_unit_test(test_cache)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
