/*
 * fuzz_predictor.c - libFuzzer target: predictor files (tmo.predictor_file,
 * dtfl predict-train; sched/seq.c, docs/formats.md) on any bytes. As
 * fuzz_policy, each input is also tried with its CRC-32 trailer made right,
 * so the fuzzer gets past the checksum to the header, the normalisation
 * and the weights. A file that loads must predict finite values from
 * finite statuses, and save to the very bytes it was loaded from.
 */
#include "fuzz.h"

#include "../../sched/sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void fuzz__load(const uint8_t *data, size_t size)
{
    sched_seq *s = NULL;
    dtfl_err err = {0};
    int rc = sched_seq_load_new(&s, data, size, 2, &err);
    if (rc != 0) {
        if (rc != DTFL_EDATA || err.msg[0] == '\0')
            abort(); /* refused with a reason */
        return;
    }
    size_t len = 0;
    uint8_t *again = NULL;
    if (sched_seq_save(s, NULL, &len, &err) != 0 || len != size ||
        (again = malloc(len)) == NULL || sched_seq_save(s, again, &len, &err) != 0 ||
        memcmp(again, data, size) != 0)
        abort();
    const int F = sched_seq_features(s);
    double *x = calloc(2 * (size_t)F, sizeof(double)), *y = calloc(2 * (size_t)F, sizeof(double));
    float *h = calloc(2 * sched_seq_state_len(s), sizeof(float));
    if (x != NULL && y != NULL && h != NULL) {
        sched_seq_step(s, 2, x, h, y);
        for (size_t k = 0; k < 2 * sched_seq_state_len(s); k++)
            if (!(h[k] >= -1.0f && h[k] <= 1.0f))
                abort(); /* a GRU state stays in [-1, 1] */
    }
    free(x);
    free(y);
    free(h);
    free(again);
    sched_seq_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size <= (1u << 20))
        fuzz_with_crc(data, size, fuzz__load);
    return 0;
}
