/*
 * blas.c - which OpenBLAS kernels this CPU deserves. Debian's OpenBLAS
 * 0.3.21 picks its kernels at load time from the CPU model it knows; on a
 * model it does not know (Intel family 6 model 207, with AVX-512 and AMX) it
 * falls back to its Prescott (SSE3) kernels, 5x slower in sgemm. Here: the
 * CPU's vector features by cpuid (and whether the OS saves their registers,
 * xgetbv), the core OpenBLAS picked, and the newest core type of this
 * OpenBLAS the CPU can run when the picked one is of an older generation.
 * Setting it (OPENBLAS_CORETYPE, read when OpenBLAS loads) is the caller's
 * business (app/blas.c re-executes dtfl once).
 */
#include "fl.h"

#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t blas__xgetbv(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void fl_cpu_detect(fl_cpu *c)
{
    memset(c, 0, sizeof *c);
    unsigned a, b, cx, d;
    if (!__get_cpuid(1, &a, &b, &cx, &d))
        return;
    int osxsave = (cx >> 27) & 1;
    uint64_t xcr0 = osxsave ? blas__xgetbv() : 0;
    int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0;
    c->fma = ymm && ((cx >> 12) & 1);
    c->avx = ymm && ((cx >> 28) & 1);
    if (__get_cpuid_max(0, NULL) < 7)
        return;
    __cpuid_count(7, 0, a, b, cx, d);
    c->avx2 = ymm && ((b >> 5) & 1);
    c->avx512f = zmm && ((b >> 16) & 1);
    c->avx512dq = zmm && ((b >> 17) & 1);
    c->avx512cd = zmm && ((b >> 28) & 1);
    c->avx512bw = zmm && ((b >> 30) & 1);
    c->avx512vl = zmm && ((b >> 31) & 1);
    __cpuid_count(7, 1, a, b, cx, d);
    c->avx512bf16 = c->avx512f && ((a >> 5) & 1);
}
#else
void fl_cpu_detect(fl_cpu *c) { memset(c, 0, sizeof *c); }
#endif

char *openblas_get_corename(void);

const char *fl_blas_core(void) { return openblas_get_corename(); }

/* Generations of OpenBLAS's x86 sgemm kernels: SSE, AVX, AVX2 + FMA,
 * AVX-512. A core name not listed counts as the oldest. */
static const struct {
    const char *name;
    int generation;
} blas_cores[] = {
    {"Prescott", 1}, {"Core2", 1},   {"Penryn", 1},      {"Dunnington", 1},
    {"Nehalem", 1},  {"Atom", 1},    {"Barcelona", 1},   {"Sandybridge", 2},
    {"Bulldozer", 2}, {"Piledriver", 2}, {"Haswell", 3}, {"Steamroller", 3},
    {"Excavator", 3}, {"Zen", 3},    {"SkylakeX", 4},    {"Cooperlake", 4},
};

int fl_blas_generation(const char *core)
{
    for (size_t i = 0; i < sizeof blas_cores / sizeof blas_cores[0]; i++)
        if (strcasecmp(blas_cores[i].name, core) == 0)
            return blas_cores[i].generation;
    return 0;
}

int fl_blas_known(const char *core) { return fl_blas_generation(core) > 0; }

const char *fl_blas_best(const fl_cpu *c)
{
    if (c->avx512f && c->avx512bw && c->avx512vl && c->avx512dq && c->avx512cd)
        return c->avx512bf16 ? "Cooperlake" : "SkylakeX";
    if (c->avx2 && c->fma)
        return "Haswell";
    if (c->avx)
        return "Sandybridge";
    return NULL;
}

const char *fl_blas_better(const fl_cpu *c, const char *current)
{
    const char *best = fl_blas_best(c);
    if (best == NULL || fl_blas_generation(current) >= fl_blas_generation(best))
        return NULL;
    return best;
}
