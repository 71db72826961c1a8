/*
 * utility_io.c - the fit file of `dtfl utility-fit` read back for
 * `utility.fit: PATH`: a JSON object whose "a" is the six numbers a1..a6 of
 * eqs. 11-12 (003). The file is checked before use: size, JSON syntax, six
 * finite numbers, and a1, a2, a3, a4, a6 > 0 as the fit keeps them.
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

int utility_fit_read(const char *path, double a[6], dtfl_err *err)
{
    char *text = NULL;
    int rc = fit__slurp(path, &text, err);
    if (rc < 0)
        return rc;
    cJSON *o = cJSON_Parse(text);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "a");
    double v[6];
    if (o == NULL)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: not JSON (near byte %ld)", path,
                          (long)(cJSON_GetErrorPtr() - text));
    else if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 6)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: \"a\" must be an array of the "
                          "six numbers a1..a6", path);
    for (int k = 0; rc == 0 && k < 6; k++) {
        const cJSON *x = cJSON_GetArrayItem(arr, k);
        v[k] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
        if (!isfinite(v[k]) || (k != 4 && !(v[k] > 0)))
            rc = dtfl_err_set(err, DTFL_EDATA, "%s: a%d must be a%s number",
                              path, k + 1, k != 4 ? " positive" : " finite");
    }
    if (rc == 0)
        memcpy(a, v, sizeof v);
    cJSON_Delete(o);
    free(text);
    return rc;
}
