/*
 * results.c - the results folder of a run: the resolved config, CSV tables
 * and JSON summaries, each written to a temporary name and renamed, so a
 * killed run never leaves a half file that looks whole.
 */
#include "app.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct app_table {
    char *text;   /* header and rows, newline-terminated */
    size_t len, cap;
};

static int table__append(app_table *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t ncap = t->cap ? t->cap : 4096;
        while (ncap < t->len + n + 1)
            ncap *= 2;
        char *nt = realloc(t->text, ncap);
        if (nt == NULL)
            return DTFL_ENOMEM;
        t->text = nt;
        t->cap = ncap;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
    return 0;
}

int app_table_create(app_table **out, const char *header)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return DTFL_ENOMEM;
    if (table__append(*out, header, strlen(header)) < 0 ||
        table__append(*out, "\n", 1) < 0) {
        app_table_destroy(*out);
        *out = NULL;
        return DTFL_ENOMEM;
    }
    return 0;
}

void app_table_destroy(app_table *t)
{
    if (t == NULL)
        return;
    free(t->text);
    free(t);
}

int app_table_add(app_table *t, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line - 1)
        return DTFL_ERANGE;
    line[n++] = '\n';
    return table__append(t, line, (size_t)n);
}

int app_table_save(const app_table *t, const char *path, dtfl_err *err)
{
    return dtfl_file_write_atomic(path, t->text, t->len, err);
}

const char *app_table_text(const app_table *t, size_t *len)
{
    *len = t->len;
    return t->text;
}

int app_table_set_text(app_table *t, const char *text, size_t len)
{
    t->len = 0;
    return table__append(t, text, len);
}

int app_results_path(const char *dir, const char *name, char *buf, size_t cap,
                     dtfl_err *err)
{
    return dtfl_path_join(buf, cap, dir, name, err);
}

/* A disk that is full, or nearly, is found before any work: 1 MiB written
 * (and synced) beside the results, then removed. */
static int results__probe(const char *dir, dtfl_err *err)
{
    enum { PROBE_BYTES = 1 << 20 };
    char path[APP_PATH_MAX + 64];
    int rc = app_results_path(dir, ".dtfl-probe", path, sizeof path, err);
    void *zeros = rc == 0 ? calloc(1, PROBE_BYTES) : NULL;
    if (rc == 0 && zeros == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "out of memory");
    if (rc == 0 && (rc = dtfl_file_write_atomic(path, zeros, PROBE_BYTES, err)) < 0)
        dtfl_err_prefix(err, "%s: the results folder cannot take 1 MiB", dir);
    free(zeros);
    if (rc == 0)
        unlink(path);
    return rc;
}

int app_results_open(const app_config *cfg, char *dir, size_t cap,
                     dtfl_err *err)
{
    app_config_out_dir(cfg, dir, cap);
    int rc = dtfl_mkdirs(dir, err);
    if (rc < 0)
        return rc;
    char path[APP_PATH_MAX + 64];
    /* a summary.json of an earlier run here would make this one look
     * complete until it is: it goes first */
    if ((rc = app_results_path(dir, "summary.json", path, sizeof path, err)) < 0)
        return rc;
    if (unlink(path) != 0 && errno != ENOENT)
        return dtfl_err_set(err, DTFL_ECANTCREATE, "%s: cannot remove the "
                                                   "last run's summary: %s",
                            path, strerror(errno));
    if ((rc = results__probe(dir, err)) < 0 ||
        (rc = app_results_path(dir, "config.yaml", path, sizeof path, err)) < 0)
        return rc;
    dtfl_afile *f = NULL;
    if ((rc = dtfl_afile_open(&f, path, err)) < 0)
        return rc;
    app_config_dump(cfg, dtfl_afile_stream(f));
    return dtfl_afile_commit(f, err);
}

int app_results_write_json(const char *path, const void *json, dtfl_err *err)
{
    char *text = cJSON_Print((const cJSON *)json);
    if (text == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: cannot format JSON", path);
    size_t n = strlen(text);
    dtfl_afile *f = NULL;
    int rc = dtfl_afile_open(&f, path, err);
    if (rc == 0) {
        FILE *fp = dtfl_afile_stream(f);
        fwrite(text, 1, n, fp);
        fputc('\n', fp); /* text files end with a newline */
        rc = dtfl_afile_commit(f, err);
    }
    cJSON_free(text);
    return rc;
}

int app_results_summary(const char *dir, void *json, dtfl_err *err)
{
    /* the kernels every number above ran on */
    cJSON_AddStringToObject((cJSON *)json, "blas_core", app_blas_core());
    cJSON_AddStringToObject((cJSON *)json, "blas_chosen_by", app_blas_chosen_by());
    char path[APP_PATH_MAX + 32];
    int rc = app_results_path(dir, "summary.json", path, sizeof path, err);
    if (rc == 0)
        rc = app_results_write_json(path, json, err);
    cJSON_Delete((cJSON *)json);
    return rc;
}
