/*
 * fuzz_idx.c - libFuzzer target: the IDX parser (fl_idx_parse) on any
 * bytes. An accepted file's data must lie inside the input; the sum over
 * it touches every byte so that ASan sees any read past the end.
 */
#include "../../fl/fl.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fl_idx idx;
    dtfl_err err = {0};
    if (fl_idx_parse(data, size, "fuzz.idx", &idx, &err) != 0)
        return 0;
    if (idx.data < data || idx.count > size ||
        (size_t)(idx.data - data) > size - idx.count)
        abort();
    unsigned sum = 0;
    for (size_t i = 0; i < idx.count; i++)
        sum += idx.data[i];
    return sum == 0xFFFFFFFFu; /* keep the loop */
}
