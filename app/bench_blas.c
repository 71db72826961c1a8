/*
 * bench_blas.c - the ceilings of this machine that dtfl's benchmarks divide
 * by, and `dtfl bench blas`, which shows them:
 *   - the OpenBLAS core in use and who chose it (app/blas.c), the CPU's
 *     vector features;
 *   - the one-core sgemm 1024^3 peak of every core type this CPU runs from
 *     SSE to its best, each measured in a child dtfl started with
 *     OPENBLAS_CORETYPE set (OpenBLAS picks its kernels when it loads), in
 *     the same run: the ceiling is the best of them, not the kernel that
 *     happens to be loaded;
 *   - the one-core FMA peak measured by independent chains of fused
 *     multiply-adds on the widest vectors the CPU has (AVX-512 or AVX2):
 *     lanes x FMA units x 2 x clock, counted by the hardware itself.
 */
#include "bench.h"

#include "../fl/fl.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>

/* 12 independent chains in named registers (an array would live in memory
 * at -O2): enough to hide 4 cycles of latency on 2 FMA units. */
#define FMA_ITERS 4000000L
#define FMA_12(op) \
    a0 = op(a0, x, y); a1 = op(a1, x, y); a2 = op(a2, x, y); \
    a3 = op(a3, x, y); a4 = op(a4, x, y); a5 = op(a5, x, y); \
    a6 = op(a6, x, y); a7 = op(a7, x, y); a8 = op(a8, x, y); \
    a9 = op(a9, x, y); a10 = op(a10, x, y); a11 = op(a11, x, y)

__attribute__((target("avx512f"))) static double fma__avx512(void)
{
    __m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
    /* distinct starts, or the compiler merges equal chains */
#define FMA_START(set) \
    a0 = set(1.0f), a1 = set(1.1f), a2 = set(1.2f), a3 = set(1.3f), \
    a4 = set(1.4f), a5 = set(1.5f), a6 = set(1.6f), a7 = set(1.7f), \
    a8 = set(1.8f), a9 = set(1.9f), a10 = set(2.0f), a11 = set(2.1f)
    __m512 FMA_START(_mm512_set1_ps);
    double t = dtfl_now();
    for (long i = 0; i < FMA_ITERS; i++) {
        FMA_12(_mm512_fmadd_ps);
    }
    t = dtfl_now() - t;
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return (double)FMA_ITERS * 12 * 16 * 2 / t / 1e9;
}

__attribute__((target("avx2,fma"))) static double fma__avx2(void)
{
    __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
    __m256 FMA_START(_mm256_set1_ps);
    double t = dtfl_now();
    for (long i = 0; i < FMA_ITERS; i++) {
        FMA_12(_mm256_fmadd_ps);
    }
    t = dtfl_now() - t;
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    volatile float sink = lanes[0] + lanes[7];
    (void)sink;
    return (double)FMA_ITERS * 12 * 8 * 2 / t / 1e9;
}
#endif

double app_bench_fma_peak(const char **isa)
{
    fl_cpu cpu;
    fl_cpu_detect(&cpu);
    *isa = "none";
#if defined(__x86_64__)
    double best = 0.0;
    for (int r = 0; r < 3; r++) { /* a peak is a maximum */
        double g = cpu.avx512f ? fma__avx512() : cpu.avx2 && cpu.fma ? fma__avx2() : 0.0;
        best = g > best ? g : best;
    }
    *isa = cpu.avx512f ? "AVX-512" : cpu.avx2 && cpu.fma ? "AVX2" : "none";
    return best;
#else
    return 0.0;
#endif
}

/* The core types a CPU runs, oldest first, up to its best. */
static int blas__runnable(const fl_cpu *cpu, const char **out, int cap)
{
    static const char *const ladder[] = {"Prescott", "Sandybridge", "Haswell",
                                         "SkylakeX", "Cooperlake"};
    const char *best = fl_blas_best(cpu);
    int top = best != NULL ? fl_blas_generation(best) : 1, n = 0;
    for (size_t i = 0; i < sizeof ladder / sizeof ladder[0] && n < cap; i++)
        if (fl_blas_generation(ladder[i]) <= top &&
            (strcmp(ladder[i], "Cooperlake") != 0 || cpu->avx512bf16))
            out[n++] = ladder[i];
    return n;
}

/* The sgemm peak of one core type, from a child dtfl (`bench sgemm`). */
static double blas__child_peak(const char *core)
{
    int fd[2];
    if (pipe(fd) != 0)
        return 0.0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        setenv("OPENBLAS_CORETYPE", core, 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        setenv("DTFL_BLAS_BY", "bench blas", 1);
        char *args[] = {"dtfl", "bench", "sgemm", NULL};
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(fd[1]);
    char buf[128] = "";
    ssize_t n = pid > 0 ? read(fd[0], buf, sizeof buf - 1) : -1;
    close(fd[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 0.0;
    buf[n] = '\0';
    return atof(buf);
}

double app_bench_ceiling(double *own, double *own_median, const char **core)
{
    *own = app_bench_sgemm_peak(1024, own_median);
    *core = fl_blas_core();
    fl_cpu cpu;
    fl_cpu_detect(&cpu);
    const char *better = fl_blas_better(&cpu, fl_blas_core());
    if (better == NULL)
        return *own; /* the loaded kernels are the CPU's newest */
    double theirs = blas__child_peak(better);
    if (theirs > *own)
        *core = better;
    return theirs > *own ? theirs : *own;
}

int app_bench_sgemm(void)
{
    double median;
    printf("%.3f\n", app_bench_sgemm_peak(1024, &median));
    return EX_OK;
}

void app_bench_describe_blas(cJSON *o)
{
    cJSON_AddStringToObject(o, "blas_core", app_blas_core());
    cJSON_AddStringToObject(o, "blas_chosen_by", app_blas_chosen_by());
}

int app_bench_blas(int json)
{
    openblas_set_num_threads(1); /* one core, as the children */
    fl_cpu cpu;
    fl_cpu_detect(&cpu);
    const char *cores[8];
    int n = blas__runnable(&cpu, cores, 8);
    double peak[8], best = 0.0;
    int at = 0;
    for (int i = 0; i < n; i++) {
        peak[i] = blas__child_peak(cores[i]);
        if (peak[i] > best)
            best = peak[i], at = i;
    }
    double median;
    double own = app_bench_sgemm_peak(1024, &median);
    const char *isa;
    double fma = app_bench_fma_peak(&isa);
    const char *best_core = fl_blas_best(&cpu);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "blas");
        app_bench_describe_blas(o);
        cJSON_AddStringToObject(o, "cpu_best_core", best_core ? best_core : "none");
        cJSON_AddNumberToObject(o, "sgemm_peak_gflops", own);
        cJSON *arr = cJSON_AddArrayToObject(o, "cores");
        for (int i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "core", cores[i]);
            cJSON_AddNumberToObject(e, "sgemm_peak_gflops", peak[i]);
            cJSON_AddItemToArray(arr, e);
        }
        cJSON_AddNumberToObject(o, "ceiling_gflops", best);
        cJSON_AddStringToObject(o, "fma_isa", isa);
        cJSON_AddNumberToObject(o, "fma_peak_gflops", fma);
        app_bench_print_json(o);
        return EX_OK;
    }
    printf("CPU: avx %d, avx2 %d, fma %d, avx512f/dq/cd/bw/vl %d%d%d%d%d, "
           "avx512_bf16 %d; newest OpenBLAS core it runs: %s\n",
           cpu.avx, cpu.avx2, cpu.fma, cpu.avx512f, cpu.avx512dq, cpu.avx512cd,
           cpu.avx512bw, cpu.avx512vl, cpu.avx512bf16, best_core ? best_core : "none");
    printf("the loaded kernels: sgemm 1024^3 on one core %.1f GFLOP/s\n\n", own);
    printf("%-12s %10s %9s\n", "core", "GFLOP/s", "of best");
    for (int i = 0; i < n; i++)
        printf("%-12s %10.1f %9.2f\n", cores[i], peak[i], best > 0 ? peak[i] / best : 0.0);
    printf("\nceiling (best core, %s): %.1f GFLOP/s; FMA peak of one core (%s, "
           "measured): %.1f GFLOP/s, sgemm reaches %.2f of it\n",
           n > 0 ? cores[at] : "?", best, isa, fma, fma > 0 ? best / fma : 0.0);
    if (best > 0 && own < 0.8 * best)
        printf("note: the kernels in use run at %.2f of the best core's; set "
               "run.blas_core or OPENBLAS_CORETYPE\n", own / best);
    return EX_OK;
}
