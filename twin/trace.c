/*
 * trace.c - user trajectories from a CSV of "id,t,x,y" rows (t in seconds,
 * x and y in metres inside the world). Users are the distinct ids in
 * ascending order; the position at any time is linearly interpolated between
 * an id's rows and held at its first and last row outside them.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

typedef struct trace_user {
    int first, count; /* rows [first, first + count) of the sorted table */
} trace_user;

struct twin_trace {
    twin_csv rows;    /* (n, 4): id, t, x, y, grouped by id, t increasing */
    trace_user *users;
    int nusers;
};

void twin_trace_destroy(twin_trace *t)
{
    if (t == NULL)
        return;
    twin__csv_free(&t->rows);
    free(t->users);
    free(t);
}

int twin_trace_users(const twin_trace *t) { return t->nusers; }

int twin_trace_samples_in(const twin_trace *t, int k, double t0, double t1)
{
    const trace_user *u = &t->users[k];
    int n = 0;
    for (int i = u->first; i < u->first + u->count; i++) {
        const double s = t->rows.v[(size_t)i * 4 + 1];
        n += s >= t0 && s < t1;
    }
    return n;
}

/* (id, row) pairs sort by id, then file order. */
typedef struct trace_key {
    double id;
    int row;
} trace_key;

static int trace__cmp(const void *a, const void *b)
{
    const trace_key *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

/* Checks one row's values against the world; fills err with FILE:LINE. */
static int trace__check_row(const char *path, const double *r, int line,
                            double width, double height, dtfl_err *err)
{
    if (r[0] < 0 || r[0] != (double)(long long)r[0] || r[0] > 2e9)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s:%d: id %g is not a non-negative integer", path,
                            line, r[0]);
    if (r[1] < 0)
        return dtfl_err_set(err, DTFL_EDATA, "%s:%d: time %g is negative",
                            path, line, r[1]);
    if (r[2] < 0 || r[2] > width || r[3] < 0 || r[3] > height)
        return dtfl_err_set(err, DTFL_EDATA,
                            "%s:%d: position (%g, %g) is outside the world "
                            "[0, %g] x [0, %g]",
                            path, line, r[2], r[3], width, height);
    return 0;
}

int twin__trace_build(twin_trace **out, const char *path, twin_csv *raw,
                      double width, double height, dtfl_err *err)
{
    *out = NULL;
    int rc = 0;
    twin_trace *t = calloc(1, sizeof *t);
    trace_key *keys = calloc((size_t)raw->rows + 1, sizeof *keys);
    if (t == NULL || keys == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (int i = 0; i < raw->rows; i++) {
        rc = trace__check_row(path, raw->v + 4 * i, raw->line[i], width, height,
                              err);
        if (rc < 0)
            goto done;
        keys[i] = (trace_key){raw->v[4 * i], i};
    }
    qsort(keys, (size_t)raw->rows, sizeof *keys, trace__cmp);
    t->rows.cols = 4;
    t->rows.rows = raw->rows;
    t->rows.v = malloc(sizeof(double) * 4 * ((size_t)raw->rows + 1));
    t->rows.line = malloc(sizeof(int) * ((size_t)raw->rows + 1));
    t->users = calloc((size_t)raw->rows + 1, sizeof *t->users);
    if (t->rows.v == NULL || t->rows.line == NULL || t->users == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (int i = 0; i < raw->rows; i++) {
        const double *r = raw->v + 4 * keys[i].row;
        memcpy(t->rows.v + 4 * i, r, sizeof(double) * 4);
        t->rows.line[i] = raw->line[keys[i].row];
        if (i == 0 || r[0] != t->rows.v[4 * (i - 1)]) {
            t->users[t->nusers++] = (trace_user){i, 1};
            continue;
        }
        if (r[1] <= t->rows.v[4 * (i - 1) + 1]) {
            rc = dtfl_err_set(err, DTFL_EDATA,
                              "%s:%d: time %g of id %g does not come after "
                              "%g (line %d)",
                              path, t->rows.line[i], r[1], r[0],
                              t->rows.v[4 * (i - 1) + 1], t->rows.line[i - 1]);
            goto done;
        }
        t->users[t->nusers - 1].count++;
    }
    *out = t;
    t = NULL;
done:
    free(keys);
    twin_trace_destroy(t);
    return rc;
}

int twin_trace_load(twin_trace **out, const char *path, double width,
                    double height, dtfl_err *err)
{
    *out = NULL;
    twin_csv raw;
    int rc = twin__csv_read(path, 4, &raw, err);
    if (rc < 0)
        return rc;
    rc = twin__trace_build(out, path, &raw, width, height, err);
    twin__csv_free(&raw);
    return rc;
}

void twin_trace_at(const twin_trace *t, int k, double sec, double *x,
                   double *y)
{
    const trace_user *u = &t->users[k];
    const double *r = t->rows.v + 4 * (size_t)u->first;
    int n = u->count;
    if (sec <= r[1] || n == 1) {
        *x = r[2];
        *y = r[3];
        return;
    }
    if (sec >= r[4 * (n - 1) + 1]) {
        *x = r[4 * (n - 1) + 2];
        *y = r[4 * (n - 1) + 3];
        return;
    }
    int lo = 0, hi = n - 1; /* r[lo].t <= sec < r[hi].t */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (r[4 * mid + 1] <= sec)
            lo = mid;
        else
            hi = mid;
    }
    const double *a = r + 4 * lo, *b = r + 4 * hi;
    double f = (sec - a[1]) / (b[1] - a[1]);
    *x = a[2] + f * (b[2] - a[2]);
    *y = a[3] + f * (b[3] - a[3]);
}
