/*
 * tdrive.c - taxi trajectories in the T-Drive format (Microsoft Research's
 * Beijing taxis, one text file per taxi, lines "id,YYYY-MM-DD HH:MM:SS,lon,lat"
 * in UTC+8 local time, which only shifts t): read strictly, projected to
 * metres about an origin (equirectangular: x = R cos(lat0) dlon, y = R dlat,
 * R the Earth's mean radius; under 0.1% off within 10 km), timed in seconds
 * from the earliest sample of all files, and held in the world: a sample
 * outside [0, W] x [0, H] is moved onto its edge and counted. The result is a
 * twin_trace like a CSV one (linear interpolation between samples).
 *
 * A path is a file or a folder of files (taken in name order). Every
 * problem is FILE:LINE: message; a fuzz target feeds twin__tdrive_parse any
 * bytes.
 */
#include "csv.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TDRIVE_R 6371008.8         /* m, mean Earth radius */
#define TDRIVE_MAX_BYTES (64u << 20)

/* A row's fields: reads exactly n digits. */
static int td__digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; no timegm needed). */
static long td__days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "id,YYYY-MM-DD HH:MM:SS,lon,lat" into (id, seconds, lon, lat). The line
 * is copied and terminated first: strtoll and strtod read until a NUL, and
 * the input has none (fuzz_tdrive found the overread). */
static int td__line(const char *in, const char *in_end, double *row,
                    const char **why)
{
    char line[160];
    size_t len = (size_t)(in_end - in);
    if (len >= sizeof line) {
        *why = "a line of under 160 characters";
        return -1;
    }
    memcpy(line, in, len);
    line[len] = '\0';
    const char *s = line, *end = line + len;
    char *e = NULL;
    long long id = strtoll(s, &e, 10);
    if (e == s || *e != ',' || id < 0 || id > 2000000000LL) {
        *why = "an id (a non-negative integer) before the first comma";
        return -1;
    }
    const char *p = e + 1;
    int Y, M, D, h, mi, sec;
    if (end - p < 20 || td__digits(&p, 4, &Y) || *p++ != '-' || td__digits(&p, 2, &M) ||
        *p++ != '-' || td__digits(&p, 2, &D) || *p++ != ' ' || td__digits(&p, 2, &h) ||
        *p++ != ':' || td__digits(&p, 2, &mi) || *p++ != ':' || td__digits(&p, 2, &sec) ||
        *p++ != ',') {
        *why = "a time YYYY-MM-DD HH:MM:SS after the id";
        return -1;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || mi > 59 ||
        sec > 60) {
        *why = "a valid date and time";
        return -1;
    }
    double lon = strtod(p, &e);
    if (e == p || *e != ',') {
        *why = "a longitude after the time";
        return -1;
    }
    const char *q = e + 1;
    double lat = strtod(q, &e);
    if (e == q || *e != '\0' || !isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 ||
        fabs(lat) > 90) {
        *why = "a longitude in [-180, 180] and a latitude in [-90, 90], nothing after";
        return -1;
    }
    row[0] = (double)id;
    row[1] = (double)td__days(Y, M, D) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
    row[2] = lon;
    row[3] = lat;
    return 0;
}

int twin__tdrive_parse(const char *name, const char *buf, size_t len,
                       twin_csv *rows, dtfl_err *err)
{
    int line = 0;
    for (size_t at = 0; at < len;) {
        const char *s = buf + at, *nl = memchr(s, '\n', len - at);
        const char *end = nl != NULL ? nl : buf + len;
        at = (size_t)(end - buf) + (nl != NULL);
        line++;
        if (end > s && end[-1] == '\r')
            end--;
        if (end == s)
            continue; /* a blank line */
        if (memchr(s, '\0', (size_t)(end - s)) != NULL)
            return dtfl_err_set(err, DTFL_EDATA, "%s:%d: a NUL byte", name, line);
        if (rows->rows % 1024 == 0) {
            size_t cap = (size_t)rows->rows + 1024;
            double *v = realloc(rows->v, sizeof(double) * 4 * cap);
            if (v != NULL)
                rows->v = v;
            int *l = v != NULL ? realloc(rows->line, sizeof(int) * cap) : NULL;
            if (l == NULL)
                return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", name);
            rows->line = l;
        }
        const char *why = NULL;
        if (td__line(s, end, rows->v + 4 * (size_t)rows->rows, &why) < 0)
            return dtfl_err_set(err, DTFL_EDATA, "%s:%d: expected %s", name, line, why);
        rows->line[rows->rows++] = line;
    }
    return 0;
}

static int td__read_file(const char *path, twin_csv *rows, dtfl_err *err)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    int rc = dtfl_file_read_all(path, TDRIVE_MAX_BYTES, &buf, &n, err);
    if (rc == 0)
        rc = twin__tdrive_parse(path, (const char *)buf, n, rows, err);
    free(buf);
    return rc;
}

static int td__cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a folder, in name order. */
static int td__read_dir(const char *dir, twin_csv *rows, dtfl_err *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return dtfl_err_set(err, DTFL_ENOINPUT, "%s: cannot open", dir);
    char **names = NULL;
    int n = 0, cap = 0, rc = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && rc == 0;) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, sizeof *names * (size_t)cap);
            if (p == NULL) {
                rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", dir);
                break;
            }
            names = p;
        }
        if ((names[n] = strdup(e->d_name)) == NULL)
            rc = dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", dir);
        else
            n++;
    }
    closedir(d);
    if (rc == 0 && n == 0)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: no taxi files", dir);
    if (names != NULL)
        qsort(names, (size_t)n, sizeof *names, td__cmp_names);
    char path[4096];
    for (int i = 0; i < n && rc == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = td__read_file(path, rows, err);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int twin_trace_load_tdrive(twin_trace **out, const char *path, double lon0,
                           double lat0, double width, double height,
                           int *clamped, dtfl_err *err)
{
    *out = NULL;
    *clamped = 0;
    twin_csv rows = {0, 4, NULL, NULL};
    struct stat st;
    int rc = stat(path, &st) != 0
                 ? dtfl_err_set(err, DTFL_ENOINPUT, "%s: cannot open", path)
             : S_ISDIR(st.st_mode) ? td__read_dir(path, &rows, err)
                                   : td__read_file(path, &rows, err);
    if (rc == 0 && rows.rows == 0)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: no samples", path);
    double t0 = INFINITY;
    for (int i = 0; rc == 0 && i < rows.rows; i++)
        t0 = fmin(t0, rows.v[4 * i + 1]);
    const double k = M_PI / 180.0, c = cos(lat0 * k);
    for (int i = 0; rc == 0 && i < rows.rows; i++) {
        double *r = rows.v + 4 * i;
        double x = TDRIVE_R * c * (r[2] - lon0) * k, y = TDRIVE_R * (r[3] - lat0) * k;
        double cx = fmin(fmax(x, 0.0), width), cy = fmin(fmax(y, 0.0), height);
        *clamped += cx != x || cy != y;
        r[1] -= t0;
        r[2] = cx;
        r[3] = cy;
    }
    if (rc == 0)
        rc = twin__trace_build(out, path, &rows, width, height, err);
    twin__csv_free(&rows);
    return rc;
}
