/*
 * fuzz_task.c - libFuzzer target: the bytes of real mode's tasks and
 * outcomes (app/run_task.c) and the caches' outcome bytes of a checkpoint
 * (app/run_cache.c) on any input. The first byte picks which: even, a
 * task or outcome record, which must then lie within the input with its
 * labels and pixels; odd, a rank's caches (8 servers on 2 ranks, the rank
 * the second byte's low bit), which must then encode back to the same
 * bytes.
 */
#include "fuzz.h"

#include "../../app/run.h"

static void fuzz_record(const uint8_t *p, size_t n)
{
    run_task_record r;
    if (run_task_record_parse(p, n, &r) != 0)
        return;
    const size_t want = RUN_TASK_HEAD + (size_t)r.n * (1u + r.dim);
    if (want != n || r.labels != p + RUN_TASK_HEAD ||
        (r.task && r.pixels != r.labels + r.n) || (!r.task && r.pixels != NULL))
        abort();
    unsigned sum = 0; /* touch every byte the record claims */
    for (uint32_t k = 0; k < r.n; k++)
        sum += r.labels[k];
    for (size_t k = 0; r.task && k < (size_t)r.n * r.dim; k++)
        sum += r.pixels[k];
    (void)sum;
}

static void fuzz_caches(const uint8_t *p, size_t n, int rank)
{
    run_cache *c = NULL;
    dtfl_err err = {0};
    if (run_cache_create(&c) != 0)
        abort();
    if (run_cache_decode(c, p, n, 8, 2, rank, "fuzz", &err) == 0) {
        size_t len = run_cache_encoded_size(c);
        uint8_t *back = malloc(len + 1);
        if (back == NULL || len != n)
            abort();
        run_cache_encode(c, back);
        if (memcmp(back, p, n) != 0)
            abort();
        free(back);
    } else if (err.msg[0] == '\0') {
        abort(); /* refused without saying why */
    }
    run_cache_destroy(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (data[0] % 2 == 0)
        fuzz_record(data + 1, size - 1);
    else
        fuzz_caches(data + 2, size - 2, data[1] & 1);
    return 0;
}
