/*
 * fuzz_twin.c - libFuzzer target: the twin decoder (twin_dt_decode) on any
 * bytes. Most inputs fail the checksum, so the target also tries the input
 * with its checksum made right: that lets the fuzzer past the XXH3 check
 * into the section table and the semantic checks. A decoded twin's
 * encoding must decode, and encode again to the same bytes.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

/* Encodes dt; the caller frees the bytes. */
static uint8_t *fuzz__encode(const twin_dt *dt, size_t *len)
{
    size_t cap = twin_dt_encode_bound(dt);
    uint8_t *buf = malloc(cap);
    if (buf == NULL || twin_dt_encode(dt, buf, cap, len, NULL) != 0)
        abort(); /* a decoded twin always encodes */
    return buf;
}

static void fuzz__decode(const uint8_t *buf, size_t len)
{
    twin_dt *dt = NULL, *dt2 = NULL;
    if (twin_dt_decode(buf, len, &fuzz_expect, "fuzz twin", &dt, NULL) != 0)
        return;
    /* the sections may come in any order, so encoding a decoded twin gives
     * the canonical form: it must decode, and encode to itself */
    size_t n1 = 0, n2 = 0;
    uint8_t *once = fuzz__encode(dt, &n1);
    if (twin_dt_decode(once, n1, &fuzz_expect, "re-encoded", &dt2, NULL) != 0)
        abort();
    uint8_t *twice = fuzz__encode(dt2, &n2);
    if (n1 != n2 || memcmp(once, twice, n1) != 0)
        abort();
    free(once);
    free(twice);
    twin_dt_destroy(dt);
    twin_dt_destroy(dt2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz__decode(data, size);
    if (size < 8)
        return 0;
    uint8_t *copy = malloc(size);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    uint64_t h = XXH3_64bits(copy, size - 8);
    for (int i = 0; i < 8; i++) /* the trailer is little-endian */
        copy[size - 8 + i] = (uint8_t)(h >> (8 * i));
    fuzz__decode(copy, size);
    free(copy);
    return 0;
}
