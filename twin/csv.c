/*
 * csv.c - reads small numeric CSV files strictly: a row is `cols` finite
 * numbers separated by commas (spaces around them allowed); a first line
 * that is not numeric is a header; blank lines and lines starting with '#'
 * are skipped. Anything else is an error naming FILE:LINE.
 */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_BYTES (256u << 20)

void twin__csv_free(twin_csv *t)
{
    free(t->v);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Parses one line into vals; returns the number of fields, or -1 for a
 * field that is not a finite number (its index in *bad). An empty field
 * ("1,,2") is not a number. */
static int csv__fields(char *s, double *vals, int cap, int *bad)
{
    int n = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma != NULL)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        char *end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            *--end = '\0';
        char *stop = NULL;
        errno = 0;
        double v = strtod(s, &stop);
        if (s[0] == '\0' || *stop != '\0' || errno == ERANGE || !isfinite(v)) {
            *bad = n;
            return -1;
        }
        if (n < cap)
            vals[n] = v;
        n++;
        if (comma == NULL)
            return n;
        s = comma + 1;
    }
}

static int csv__push(twin_csv *t, int *cap, const double *vals, int line)
{
    if (t->rows == *cap) {
        int ncap = *cap ? *cap * 2 : 256;
        double *nv = realloc(t->v, sizeof(double) * (size_t)ncap * t->cols);
        int *nl = realloc(t->line, sizeof(int) * (size_t)ncap);
        if (nv != NULL)
            t->v = nv;
        if (nl != NULL)
            t->line = nl;
        if (nv == NULL || nl == NULL)
            return DTFL_ENOMEM;
        *cap = ncap;
    }
    memcpy(t->v + (size_t)t->rows * t->cols, vals, sizeof(double) * t->cols);
    t->line[t->rows++] = line;
    return 0;
}

int twin__csv_read(const char *path, int cols, twin_csv *out, dtfl_err *err)
{
    memset(out, 0, sizeof *out);
    out->cols = cols;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = dtfl_file_read_all(path, CSV_MAX_BYTES, &buf, &len, err);
    if (rc < 0)
        return rc;
    char *text = realloc(buf, len + 1);
    if (text == NULL) {
        free(buf);
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
    }
    text[len] = '\0';
    if (memchr(text, '\0', len) != NULL) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: contains a NUL byte (binary?)",
                          path);
        goto done;
    }
    int cap = 0, lineno = 0, seen_data = 0;
    double vals[8];
    char *line = text;
    while (line < text + len) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        char *next = nl ? nl + 1 : text + len;
        lineno++;
        const char *p = line;
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0' || *p == '#') {
            line = next;
            continue;
        }
        int bad = 0;
        int n = csv__fields(line, vals, cols, &bad);
        if (n < 0 && !seen_data) {
            seen_data = 1; /* the first non-blank line may be a header */
            line = next;
            continue;
        }
        if (n < 0) {
            rc = dtfl_err_set(err, DTFL_EDATA,
                              "%s:%d: field %d is not a finite number", path,
                              lineno, bad + 1);
            goto done;
        }
        if (n != cols) {
            rc = dtfl_err_set(err, DTFL_EDATA, "%s:%d: %d fields, expected %d",
                              path, lineno, n, cols);
            goto done;
        }
        seen_data = 1;
        if ((rc = csv__push(out, &cap, vals, lineno)) < 0) {
            dtfl_err_set(err, rc, "%s: out of memory", path);
            goto done;
        }
        line = next;
    }
    if (out->rows == 0)
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: no data rows", path);
done:
    free(text);
    if (rc < 0)
        twin__csv_free(out);
    return rc;
}
