/*
 * clock.c - the one clock dtfl measures time with (monotonic, seconds).
 */
#include "dtfl.h"

#include <time.h>

double dtfl_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
