/*
 * test_twin.c - the user digital twin: its byte format round-trips, and a
 * twin with any one byte flipped, cut at any length, of another version or
 * made for another model is refused without reading out of bounds; labels
 * and weights are checked even under a valid checksum; synchronisation and the
 * training set of eq. 3 (cur plus a share gamma of prev, prev's label mix);
 * a twin without a status is written as version 1 exactly as before, one
 * with a status as version 2 with a STATUS section that round-trips, whose
 * bad values are refused, and staleness counts from it.
 */
#include "check.h"

#include "../twin/twin.h"

#include <xxhash.h>

static twin_dt *make_twin(uint32_t user, int ncur, int nprev, size_t nw)
{
    twin_dt *dt = NULL;
    dtfl_err err;
    assert_int_equal(twin_dt_create(&dt, user, 4, nw, 100.0, 9, &err), 0);
    for (size_t i = 0; i < nw; i++)
        dt->weights[i] = 0.25f * (float)i - 1.0f;
    int nmax = ncur > nprev ? ncur : nprev;
    uint8_t *x = malloc((size_t)nmax * 4 + 1), *y = malloc((size_t)nmax + 1);
    for (int s = 0; s < 2; s++) {
        int n = s ? ncur : nprev;
        for (int i = 0; i < n * 4; i++)
            x[i] = (uint8_t)(i * 7 + s);
        for (int i = 0; i < n; i++)
            y[i] = (uint8_t)((i + s) % 3);
        assert_int_equal(twin_dt_sync(dt, (uint32_t)(5 + s), n, x, y, &err), 0);
    }
    free(x);
    free(y);
    return dt;
}

static uint8_t *encode(const twin_dt *dt, size_t *len)
{
    size_t cap = twin_dt_encode_bound(dt);
    uint8_t *buf = malloc(cap);
    dtfl_err err;
    assert_int_equal(twin_dt_encode(dt, buf, cap, len, &err), 0);
    assert_int_equal(*len, cap);
    return buf;
}

static const twin_dt_expect expect = {4, 6, 3};

static void test_roundtrip(void **state)
{
    (void)state;
    twin_dt *a = make_twin(7, 5, 3, 6);
    assert_int_equal(a->blob_len, 13); /* ceil(100 / 8) */
    size_t len;
    uint8_t *buf = encode(a, &len);
    twin_dt *b = NULL;
    dtfl_err err;
    assert_int_equal(twin_dt_decode(buf, len, &expect, "t", &b, &err), 0);
    assert_int_equal(b->user, 7);
    assert_int_equal(b->slot, 6);
    assert_memory_equal(b->weights, a->weights, 6 * sizeof(float));
    assert_memory_equal(b->blob, a->blob, a->blob_len);
    assert_int_equal(b->cur.n, 5);
    assert_int_equal(b->prev.n, 3);
    assert_memory_equal(b->cur.x, a->cur.x, 20);
    assert_memory_equal(b->prev.y, a->prev.y, 3);
    /* the section table names every part, back to back */
    twin_section sec[TWIN_MAX_SECTIONS];
    int n;
    assert_int_equal(twin_dt_sections(buf, len, sec, &n, &err), 0);
    assert_int_equal(n, 7);
    assert_int_equal(sec[1].type, TWIN_SEC_WEIGHTS);
    assert_int_equal(sec[1].length, 24);
    assert_int_equal(sec[3].type, TWIN_SEC_CUR_X);
    assert_memory_equal(buf + sec[3].offset, a->cur.x, 20);
    assert_int_equal(sec[6].offset + sec[6].length, len - 8);
    /* an empty twin (no samples yet) round-trips too */
    twin_dt *e = NULL, *f = NULL;
    assert_int_equal(twin_dt_create(&e, 1, 4, 6, 8.0, 1, &err), 0);
    uint8_t *eb = encode(e, &len);
    assert_int_equal(twin_dt_decode(eb, len, &expect, "t", &f, &err), 0);
    assert_int_equal(f->cur.n, 0);
    free(eb);
    twin_dt_destroy(e);
    twin_dt_destroy(f);
    free(buf);
    twin_dt_destroy(a);
    twin_dt_destroy(b);
}

static void test_every_flip_and_cut(void **state)
{
    (void)state;
    twin_dt *a = make_twin(3, 4, 2, 6);
    size_t len;
    uint8_t *buf = encode(a, &len);
    dtfl_err err;
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            /* a copy of exactly len bytes: ASan catches any read past it */
            uint8_t *c = malloc(len);
            memcpy(c, buf, len);
            c[i] ^= (uint8_t)(1u << bit);
            twin_dt *b = NULL;
            int rc = twin_dt_decode(c, len, &expect, "t", &b, &err);
            if (rc == 0)
                fail_msg("flip of bit %d at byte %zu was accepted", bit, i);
            assert_null(b);
            free(c);
        }
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *c = malloc(cut + 1);
        memcpy(c, buf, cut);
        twin_dt *b = NULL;
        if (twin_dt_decode(c, cut, &expect, "t", &b, &err) == 0)
            fail_msg("twin cut to %zu of %zu bytes was accepted", cut, len);
        free(c);
    }
    free(buf);
    twin_dt_destroy(a);
}

/* Re-stamps the checksum (XXH3-64) after editing, to reach the checks
 * behind it. */
static void restamp(uint8_t *buf, size_t len)
{
    dtfl_put_u64(buf + len - 8, XXH3_64bits(buf, len - 8));
}

static void expect_reject(uint8_t *buf, size_t len, const twin_dt_expect *ex,
                          int code, const char *needle)
{
    twin_dt *b = NULL;
    dtfl_err err = {0};
    int rc = twin_dt_decode(buf, len, ex, "twin 3", &b, &err);
    twin_dt_destroy(b); /* the sanity case decodes a twin */
    if (rc != code || strstr(err.msg, needle) == NULL)
        fail_msg("rc %d (want %d), '%s' (want '%s')", rc, code, err.msg, needle);
}

static void test_semantic_checks(void **state)
{
    (void)state;
    twin_dt *a = make_twin(3, 4, 2, 6);
    size_t len;
    uint8_t *buf = encode(a, &len);
    expect_reject(buf, len, &expect, 0, ""); /* sanity: valid as is */
    twin_dt_expect other = expect;
    other.nweights = 7;
    expect_reject(buf, len, &other, DTFL_EDATA, "6 weights, expected 4 and 7");
    other = expect;
    other.dim = 5;
    expect_reject(buf, len, &other, DTFL_EDATA, "4-pixel images");
    other = expect;
    other.classes = 2; /* labels go up to 2 */
    expect_reject(buf, len, &other, DTFL_EDATA, "label 2 is not below 2");
    /* another version, even with a valid checksum */
    uint8_t *c = malloc(len);
    memcpy(c, buf, len);
    dtfl_put_u32(c + 8, 3);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EVERSION, "version 3");
    /* version 2 promises a STATUS section this one lacks */
    memcpy(c, buf, len);
    dtfl_put_u32(c + 8, 2);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EDATA, "7 sections, version 2 has 8");
    /* a NaN weight under a valid checksum */
    memcpy(c, buf, len);
    twin_section sec[TWIN_MAX_SECTIONS];
    int n;
    dtfl_err err;
    assert_int_equal(twin_dt_sections(c, len, sec, &n, &err), 0);
    dtfl_put_u32(c + sec[1].offset + 8, 0x7fc00000u);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EDATA, "weight 2 is not finite");
    /* META promising more samples than the sections hold */
    memcpy(c, buf, len);
    dtfl_put_u32(c + sec[0].offset + 4, 1000);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EDATA, "CUR_X section has 16 bytes");
    /* a section table that overlaps or leaves gaps */
    memcpy(c, buf, len);
    dtfl_put_u64(c + 32 + 24 * 2 + 8, sec[2].offset + 1);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EDATA, "does not follow");
    /* the same section type twice */
    memcpy(c, buf, len);
    dtfl_put_u32(c + 32 + 24 * 6, TWIN_SEC_CUR_Y);
    restamp(c, len);
    expect_reject(c, len, &expect, DTFL_EDATA, "appears twice");
    /* a flipped byte in the data: caught by the checksum */
    memcpy(c, buf, len);
    c[sec[3].offset] ^= 1;
    expect_reject(c, len, &expect, DTFL_ECORRUPT, "checksum mismatch");
    free(c);
    free(buf);
    twin_dt_destroy(a);
}

/* STATUS: version 1 without it (the size of before: no section added),
 * version 2 with it, a round trip, staleness, and refusals. */
static void test_status(void **state)
{
    (void)state;
    twin_dt *a = make_twin(4, 2, 1, 6);
    size_t len1, len2;
    uint8_t *b1 = encode(a, &len1);
    assert_int_equal(dtfl_get_u32(b1 + 8), 1);
    assert_int_equal(dtfl_get_u32(b1 + 12), 7);
    assert_int_equal(twin_dt_staleness(a, 9), 10); /* none yet: t + 1 */
    const twin_status st = {12, 3, 2500, 0x1234567890abcdefull, {1.5, -2.0, 2e4, 6e8}};
    twin_dt_set_status(a, &st);
    assert_int_equal(twin_dt_staleness(a, 12), 0);
    assert_int_equal(twin_dt_staleness(a, 15), 3);
    uint8_t *b2 = encode(a, &len2);
    assert_int_equal(dtfl_get_u32(b2 + 8), 2);
    assert_int_equal(len2, len1 + 24 + 64); /* a table entry and the section */
    twin_dt *b = NULL;
    dtfl_err err;
    assert_int_equal(twin_dt_decode(b2, len2, &expect, "t", &b, &err), 0);
    assert_int_equal(b->has_status, 1);
    assert_int_equal(b->status.slot, 12);
    assert_int_equal(b->status.from, 3);
    assert_int_equal(b->status.bytes, 2500);
    assert_true(b->status.digest == st.digest);
    assert_memory_equal(b->status.value, st.value, sizeof st.value);
    uint8_t *b3 = encode(b, &len1); /* and back to the same bytes */
    assert_memory_equal(b3, b2, len2);
    twin_section sec[TWIN_MAX_SECTIONS];
    int n;
    assert_int_equal(twin_dt_sections(b2, len2, sec, &n, &err), 0);
    assert_int_equal(sec[7].type, TWIN_SEC_STATUS);
    uint8_t *c = malloc(len2);
    memcpy(c, b2, len2); /* a slot before -1 */
    dtfl_put_u64(c + sec[7].offset, (uint64_t)-5);
    restamp(c, len2);
    expect_reject(c, len2, &expect, DTFL_EDATA, "STATUS of slot -5");
    memcpy(c, b2, len2); /* a value that is not finite */
    dtfl_put_u64(c + sec[7].offset + 40, 0x7ff0000000000000ull);
    restamp(c, len2);
    expect_reject(c, len2, &expect, DTFL_EDATA, "not finite");
    memcpy(c, b2, len2); /* version 1 with eight sections */
    dtfl_put_u32(c + 8, 1);
    restamp(c, len2);
    expect_reject(c, len2, &expect, DTFL_EDATA, "8 sections, version 1 has 7");
    free(c);
    free(b1);
    free(b2);
    free(b3);
    twin_dt_destroy(a);
    twin_dt_destroy(b);
}

static void test_sync_and_training_set(void **state)
{
    (void)state;
    twin_dt *dt = NULL;
    dtfl_err err;
    assert_int_equal(twin_dt_create(&dt, 2, 1, 1, 8, 1, &err), 0);
    uint8_t x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = (uint8_t)i;
        y[i] = (uint8_t)(i < 60 ? 0 : (i < 90 ? 1 : 2)); /* 60/30/10 */
    }
    assert_int_equal(twin_dt_sync(dt, 1, 100, x, y, &err), 0);
    assert_int_equal(twin_dt_sync(dt, 2, 40, x, y, &err), 0);
    assert_int_equal(dt->prev.n, 100);
    assert_int_equal(dt->cur.n, 40);
    assert_int_equal(dt->slot, 2);
    int32_t pick[140];
    assert_int_equal(twin_dt_training_set(dt, 0.0, 5, pick), 40);
    assert_int_equal(twin_dt_training_set(dt, 1.0, 5, pick), 140);
    int k = twin_dt_training_set(dt, 0.5, 5, pick);
    assert_int_equal(k, 90);
    int per[3] = {0};
    for (int i = 0; i < k; i++) {
        if (i < 40) {
            assert_int_equal(pick[i], i); /* all of cur first */
            continue;
        }
        assert_true(pick[i] >= 40 && pick[i] < 140);
        assert_true(i == 40 || pick[i] > pick[i - 1]); /* distinct */
        per[dt->prev.y[pick[i] - 40]]++;
    }
    /* half of each label of prev: the mix of prev is kept */
    assert_int_equal(per[0], 30);
    assert_int_equal(per[1], 15);
    assert_int_equal(per[2], 5);
    /* keyed: same seed same picks, another seed others */
    int32_t again[140], other[140];
    twin_dt_training_set(dt, 0.5, 5, again);
    twin_dt_training_set(dt, 0.5, 6, other);
    assert_memory_equal(pick, again, sizeof(int32_t) * 90);
    assert_memory_not_equal(pick, other, sizeof(int32_t) * 90);
    twin_dt_destroy(dt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_every_flip_and_cut),
        cmocka_unit_test(test_semantic_checks),
        cmocka_unit_test(test_sync_and_training_set),
        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
