/*
 * utility_io.c - fit files read back: `utility.fit: PATH` (of `dtfl
 * utility-fit`: "a" is the six numbers a1..a6 of eqs. 11-12 of 003) and
 * `taco.acc.fit: PATH` (of `dtfl taco-fit`: "acc" is c0, c1, kappa of eq. 13
 * of 001). Each file is checked before use: size, JSON syntax, the count of
 * finite numbers, and the ranges the fit keeps (a1, a2, a3, a4, a6 > 0;
 * c1 in (0, 2], kappa in [1, 100], the keys' ranges).
 */
#include "utility.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIT_FILE_MAX (1 << 20) /* a fit file is a few hundred bytes */

/* The whole file as a string; DTFL_ENOINPUT when it cannot be opened. */
static int fit__slurp(const char *path, char **out, dtfl_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return dtfl_err_set(err, DTFL_ENOINPUT, "%s: %s", path, strerror(errno));
    char *buf = malloc(FIT_FILE_MAX + 1);
    size_t n = buf != NULL ? fread(buf, 1, FIT_FILE_MAX + 1, f) : 0;
    int bad = buf == NULL ? DTFL_ENOMEM : ferror(f) ? DTFL_EIO
                                       : n > FIT_FILE_MAX ? DTFL_EDATA : 0;
    fclose(f);
    if (bad) {
        free(buf);
        return dtfl_err_set(err, bad, "%s: %s", path,
                            bad == DTFL_EDATA ? "larger than 1 MiB; not a fit file"
                                              : dtfl_err_text(bad));
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

/* n finite numbers of the array `key` of the JSON object in path. */
static int fit__numbers(const char *path, const char *key, int n, double *v,
                        dtfl_err *err)
{
    char *text = NULL;
    int rc = fit__slurp(path, &text, err);
    if (rc < 0)
        return rc;
    cJSON *o = cJSON_Parse(text);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key);
    if (o == NULL)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: not JSON (near byte %ld)", path,
                          (long)(cJSON_GetErrorPtr() - text));
    else if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: \"%s\" must be an array of %d "
                          "numbers", path, key, n);
    for (int k = 0; rc == 0 && k < n; k++) {
        const cJSON *x = cJSON_GetArrayItem(arr, k);
        v[k] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
        if (!isfinite(v[k]))
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: \"%s\"[%d] must be a finite "
                              "number", path, key, k);
    }
    cJSON_Delete(o);
    free(text);
    return rc;
}

int utility_fit_read(const char *path, double a[6], dtfl_err *err)
{
    double v[6];
    int rc = fit__numbers(path, "a", 6, v, err);
    for (int k = 0; rc == 0 && k < 6; k++)
        if (k != 4 && !(v[k] > 0))
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: a%d must be a positive number", path,
                              k + 1);
    if (rc == 0)
        memcpy(a, v, sizeof v);
    return rc;
}

int utility_taco_fit_read(const char *path, double acc[3], dtfl_err *err)
{
    double v[3];
    int rc = fit__numbers(path, "acc", 3, v, err);
    if (rc == 0 && !(v[1] > 0.0 && v[1] <= 2.0))
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: c1 = %g must be in (0, 2]", path, v[1]);
    if (rc == 0 && !(v[2] >= 1.0 && v[2] <= 100.0))
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: kappa = %g must be in [1, 100]",
                          path, v[2]);
    if (rc == 0 && !(v[0] >= -1.0 && v[0] <= 1.0))
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: c0 = %g must be in [-1, 1]", path, v[0]);
    if (rc == 0)
        memcpy(acc, v, sizeof v);
    return rc;
}
