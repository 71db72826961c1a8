/*
 * fuzz.h - what dtfl's libFuzzer targets share: the shapes of the twins they
 * decode (small, so that the fuzzer reaches deep states quickly), and the
 * framing of several messages in one fuzz input.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DDTFL_FUZZ=ON
 * Run:   tests/fuzz/run.sh SECONDS
 */
#ifndef DTFL_FUZZ_H
#define DTFL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../../twin/twin.h"

#define FUZZ_DIM 4        /* pixels per sample */
#define FUZZ_WEIGHTS 6    /* model size */
#define FUZZ_CLASSES 10

static const twin_dt_expect fuzz_expect = {FUZZ_DIM, FUZZ_WEIGHTS, FUZZ_CLASSES};

/* Several messages in one input: a count byte (1..16), then each message as
 * a 2-byte little-endian length and its bytes. Returns the count, or 0 when
 * the input does not split (msg[i] point into data). */
#define FUZZ_MAX_MSGS 16
static inline int fuzz_split(const uint8_t *data, size_t size,
                             uint8_t **msg, size_t *len)
{
    if (size < 1)
        return 0;
    int n = data[0] % FUZZ_MAX_MSGS + 1;
    size_t at = 1;
    for (int i = 0; i < n; i++) {
        if (size - at < 2)
            return 0;
        size_t l = (size_t)data[at] | (size_t)data[at + 1] << 8;
        at += 2;
        if (l > size - at)
            return 0;
        msg[i] = (uint8_t *)(data + at);
        len[i] = l;
        at += l;
    }
    return n;
}

#endif /* DTFL_FUZZ_H */
