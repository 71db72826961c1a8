/*
 * partition.c - non-IID label mixes at a requested EMD, and sample draws.
 *
 * The EMD of 003_8fb9af7836691d5d.txt (eq. 10) is phi = sum_y |P_u(y) -
 * P_all(y)|. A user's mix moves a share t of the global mix onto one
 * dominant label:  P_u = (1 - t) P_all + t e_d.  Its EMD is t * 2 (1 -
 * P_all(d)), linear in t, so t = phi / (2 (1 - P_all(d))) hits phi exactly
 * for any phi up to 2 (1 - P_all(d)); the largest EMD any mix can have is
 * 2 (1 - min_y P_all(y)), reached by a point mass on the rarest label.
 *
 * A slot's samples are integer counts per label; their EMD is quantised in
 * steps of about 2/n, so the counts are chosen to stay as close to phi as n
 * allows. Draws are keyed by (seed, stream, user, slot): they never depend on
 * which rank draws them.
 */
#include "fl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double fl_emd(const double *p, const double *q, int classes)
{
    double s = 0.0;
    for (int y = 0; y < classes; y++)
        s += fabs(p[y] - q[y]);
    return s;
}

double fl_emd_counts(const int *counts, int n, const double *q, int classes)
{
    double s = 0.0;
    for (int y = 0; y < classes; y++)
        s += fabs((double)counts[y] / n - q[y]);
    return s;
}

double fl_emd_max(const double *global, int classes)
{
    double lo = 1.0;
    for (int y = 0; y < classes; y++)
        if (global[y] < lo)
            lo = global[y];
    return 2.0 * (1.0 - lo);
}

int fl_mix_for_user(double *mix, const double *global, int classes,
                    double phi, uint64_t seed, uint32_t user, int *dominant,
                    dtfl_err *err)
{
    const double tol = 1e-12;
    if (phi < 0.0 || !isfinite(phi))
        return dtfl_err_set(err, DTFL_ERANGE, "EMD %g must be >= 0", phi);
    int eligible = 0;
    for (int y = 0; y < classes; y++)
        if (2.0 * (1.0 - global[y]) >= phi - tol)
            eligible++;
    if (eligible == 0)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "EMD %.4f is not reachable with %d labels: the "
                            "largest is %.4f (all mass on the rarest label)",
                            phi, classes, fl_emd_max(global, classes));
    dtfl_rng r;
    dtfl_rng_init(&r, seed, DTFL_STREAM_MIX, user, 0);
    uint32_t pick = dtfl_rng_below(&r, (uint32_t)eligible);
    int d = -1;
    for (int y = 0; y < classes; y++) {
        if (2.0 * (1.0 - global[y]) >= phi - tol) {
            if (pick == 0) {
                d = y;
                break;
            }
            pick--;
        }
    }
    double span = 2.0 * (1.0 - global[d]);
    double t = span > 0.0 ? phi / span : 0.0;
    if (t > 1.0)
        t = 1.0;
    for (int y = 0; y < classes; y++)
        mix[y] = (1.0 - t) * global[y] + (y == d ? t : 0.0);
    if (dominant != NULL)
        *dominant = d;
    return 0;
}

/* Change of the count-EMD when one sample moves from label a to label b. */
static double partition__move_delta(const int *c, int n, const double *q,
                                    int a, int b)
{
    double ea = fabs((double)c[a] / n - q[a]);
    double eb = fabs((double)c[b] / n - q[b]);
    double na = fabs((double)(c[a] - 1) / n - q[a]);
    double nb = fabs((double)(c[b] + 1) / n - q[b]);
    return (na - ea) + (nb - eb);
}

void fl_mix_counts(const double *mix, const double *global, int classes,
                   int n, double target, int *counts, double *achieved)
{
    /* Largest-remainder rounding of mix * n. */
    int assigned = 0;
    double rem[FL_MAX_CLASSES];
    for (int y = 0; y < classes; y++) {
        double want = mix[y] * n;
        counts[y] = (int)floor(want);
        rem[y] = want - counts[y];
        assigned += counts[y];
    }
    while (assigned < n) {
        int best = 0;
        for (int y = 1; y < classes; y++)
            if (rem[y] > rem[best])
                best = y;
        counts[best]++;
        rem[best] = -1.0;
        assigned++;
    }
    /* Greedy single-sample moves while they bring the EMD closer. */
    double e = fl_emd_counts(counts, n, global, classes);
    for (int iter = 0; iter < 4 * classes + 8; iter++) {
        double best_gap = fabs(e - target);
        int ba = -1, bb = -1;
        double bd = 0.0;
        for (int a = 0; a < classes; a++) {
            if (counts[a] == 0)
                continue;
            for (int b = 0; b < classes; b++) {
                if (a == b)
                    continue;
                double d = partition__move_delta(counts, n, global, a, b);
                double gap = fabs(e + d - target);
                if (gap < best_gap - 1e-12) {
                    best_gap = gap;
                    ba = a;
                    bb = b;
                    bd = d;
                }
            }
        }
        if (ba < 0)
            break;
        counts[ba]--;
        counts[bb]++;
        e += bd;
    }
    if (achieved != NULL)
        *achieved = fl_emd_counts(counts, n, global, classes);
}

int fl_draw(const fl_dataset *d, const int *counts, uint64_t seed,
            uint32_t stream, uint32_t entity, uint32_t slot, int32_t *idx_out,
            dtfl_err *err)
{
    int maxpool = 0;
    for (int y = 0; y < d->classes; y++) {
        if (counts[y] > d->label_count[y])
            return dtfl_err_set(err, DTFL_ERANGE,
                                "asked for %d samples of label %d, the "
                                "dataset has %d",
                                counts[y], y, d->label_count[y]);
        if (d->label_count[y] > maxpool)
            maxpool = d->label_count[y];
    }
    uint8_t *seen = calloc((size_t)maxpool / 8 + 1, 1);
    if (seen == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "draw: out of memory");
    dtfl_rng r;
    dtfl_rng_init(&r, seed, stream, entity, slot);
    int k = 0;
    for (int y = 0; y < d->classes; y++) {
        int m = d->label_count[y], want = counts[y];
        if (want == 0)
            continue;
        memset(seen, 0, (size_t)m / 8 + 1);
        /* Floyd's algorithm: `want` distinct picks out of m. */
        for (int j = m - want; j < m; j++) {
            int t = (int)dtfl_rng_below(&r, (uint32_t)j + 1);
            if (seen[t >> 3] & (1u << (t & 7)))
                t = j;
            seen[t >> 3] |= (uint8_t)(1u << (t & 7));
            idx_out[k++] = d->by_label[y][t];
        }
    }
    free(seen);
    return 0;
}
