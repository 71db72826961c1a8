/*
 * schema.c - every configuration key of dtfl in one table: its dotted path,
 * type, bounds, default and a line of documentation. The loader, the dump of
 * the resolved config and docs/config.md all follow this table; adding a key
 * means adding a row here and a field to app_config.
 *
 * Numbers are checked by hand (libyaml hands over text): an integer is an
 * optional sign and digits, a float is what strtod reads completely and is
 * finite; trailing junk such as "10abc" is an error, and so is a quoted
 * number.
 */
#include "config_int.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const model_kinds[] = {"softmax", "2nn", "cnn", NULL};

#define OFF(field) offsetof(app_config, field)
#define SZ(field) sizeof(((app_config *)0)->field)

/* clang-format off */
static const app_key schema[] = {
    {"name", APP_T_STR, OFF(name), SZ(name), 1, 0, 0, "dtfl", NULL,
     "run name; names the results folder"},
    {"seed", APP_T_INT, OFF(seed), 0, 0, 9007199254740992.0, 0, "1", NULL,
     "keys every random stream (placement, data, init, policy)"},
    {"out", APP_T_STR, OFF(out), SZ(out), 0, 0, 0, "", NULL,
     "results folder; empty means results/<name>"},

    {"data.dir", APP_T_STR, OFF(data.dir), SZ(data.dir), 1, 0, 0,
     "/usr/share/datasets/fashion-mnist", NULL,
     "folder of the IDX files (Debian package dataset-fashion-mnist)"},
    {"data.train_images", APP_T_STR, OFF(data.train_images),
     SZ(data.train_images), 1, 0, 0, "train-images-idx3-ubyte.gz", NULL,
     "training images, IDX, plain or gzipped; relative to data.dir"},
    {"data.train_labels", APP_T_STR, OFF(data.train_labels),
     SZ(data.train_labels), 1, 0, 0, "train-labels-idx1-ubyte.gz", NULL,
     "training labels, IDX"},
    {"data.test_images", APP_T_STR, OFF(data.test_images),
     SZ(data.test_images), 1, 0, 0, "t10k-images-idx3-ubyte.gz", NULL,
     "test images, IDX"},
    {"data.test_labels", APP_T_STR, OFF(data.test_labels),
     SZ(data.test_labels), 1, 0, 0, "t10k-labels-idx1-ubyte.gz", NULL,
     "test labels, IDX"},
    {"data.train_limit", APP_T_INT, OFF(data.train_limit), 0, 0, 1e9, 0, "0",
     NULL, "use only the first N training samples (0 = all)"},
    {"data.test_limit", APP_T_INT, OFF(data.test_limit), 0, 0, 1e9, 0, "0",
     NULL, "use only the first N test samples (0 = all)"},

    {"model.kind", APP_T_ENUM, OFF(model.kind), 0, 0, 0, APP_REQUIRED, NULL,
     model_kinds, "softmax | 2nn (FedAvg MLP) | cnn (FedAvg CNN)"},

    {"fl.lr", APP_T_FLOAT, OFF(fl.lr), 0, 0, 10, APP_MIN_OPEN, "0.01", NULL,
     "SGD learning rate"},
    {"fl.momentum", APP_T_FLOAT, OFF(fl.momentum), 0, 0, 1, APP_MAX_OPEN, "0",
     NULL, "SGD momentum (0 = plain SGD)"},
    {"fl.weight_decay", APP_T_FLOAT, OFF(fl.weight_decay), 0, 0, 1,
     APP_MAX_OPEN, "0", NULL, "L2 weight decay"},
    {"fl.batch", APP_T_INT, OFF(fl.batch), 0, 1, 1024, 0, "50", NULL,
     "mini-batch size"},

    {"central.epochs", APP_T_INT, OFF(central.epochs), 0, 1, 1000, 0, "5",
     NULL, "epochs of centralised training (dtfl central)"},

    {"run.blas_threads", APP_T_INT, OFF(run.blas_threads), 0, 1, 256, 0, "1",
     NULL, "OpenBLAS threads per process (1 when ranks share cores)"},
};
/* clang-format on */

const app_key *app__schema(int *n)
{
    *n = (int)(sizeof schema / sizeof schema[0]);
    return schema;
}

static int schema__null(const char *t)
{
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

/* Range check shared by ints and floats; fills msg on failure. */
static int schema__range(const app_key *k, double v, const char *text,
                         char *msg, size_t cap)
{
    int lo_ok = (k->flags & APP_MIN_OPEN) ? v > k->min : v >= k->min;
    int hi_ok = (k->flags & APP_MAX_OPEN) ? v < k->max : v <= k->max;
    if (lo_ok && hi_ok)
        return 0;
    snprintf(msg, cap, "%s: %s is out of range %c%.10g, %.10g%c", k->path, text,
             (k->flags & APP_MIN_OPEN) ? '(' : '[', k->min, k->max,
             (k->flags & APP_MAX_OPEN) ? ')' : ']');
    return DTFL_ECONFIG;
}

static int schema__int(const app_key *k, void *dst, const char *t, char *msg,
                       size_t cap)
{
    const char *p = t + (t[0] == '+' || t[0] == '-');
    int digits = 0;
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9') {
            snprintf(msg, cap, "%s: expected an integer, got '%s'%s", k->path,
                     t, digits ? " (trailing characters)" : "");
            return DTFL_ECONFIG;
        }
        digits++;
    }
    if (digits == 0) {
        snprintf(msg, cap, "%s: expected an integer, got '%s'", k->path, t);
        return DTFL_ECONFIG;
    }
    errno = 0;
    long long v = strtoll(t, NULL, 10);
    if (errno == ERANGE) {
        snprintf(msg, cap, "%s: %s does not fit in 64 bits", k->path, t);
        return DTFL_ECONFIG;
    }
    int rc = schema__range(k, (double)v, t, msg, cap);
    if (rc == 0)
        *(int64_t *)dst = (int64_t)v;
    return rc;
}

static int schema__float(const app_key *k, void *dst, const char *t,
                         char *msg, size_t cap)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || *end != '\0') {
        snprintf(msg, cap, "%s: expected a number, got '%s'%s", k->path, t,
                 end != t ? " (trailing characters)" : "");
        return DTFL_ECONFIG;
    }
    if (!isfinite(v) || errno == ERANGE) {
        snprintf(msg, cap, "%s: %s is not a finite number", k->path, t);
        return DTFL_ECONFIG;
    }
    int rc = schema__range(k, v, t, msg, cap);
    if (rc == 0)
        *(double *)dst = v;
    return rc;
}

static int schema__enum(const app_key *k, void *dst, const char *t, char *msg,
                        size_t cap)
{
    int best = -1, bestd = 1 << 30;
    char list[256] = "";
    for (int i = 0; k->names[i]; i++) {
        if (strcmp(t, k->names[i]) == 0) {
            *(int *)dst = i;
            return 0;
        }
        int d = app_edit_distance(t, k->names[i]);
        if (d < bestd) {
            bestd = d;
            best = i;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                 k->names[i]);
    }
    if (best >= 0 && bestd <= 2)
        snprintf(msg, cap, "%s: '%s' is not one of %s (did you mean '%s'?)",
                 k->path, t, list, k->names[best]);
    else
        snprintf(msg, cap, "%s: '%s' is not one of %s", k->path, t, list);
    return DTFL_ECONFIG;
}

int app__key_parse(const app_key *k, app_config *cfg, const char *text,
                   int quoted, char *msg, size_t cap)
{
    void *dst = (char *)cfg + k->off;
    if (!quoted && schema__null(text)) {
        snprintf(msg, cap, "%s: missing value", k->path);
        return DTFL_ECONFIG;
    }
    if (quoted && (k->type == APP_T_INT || k->type == APP_T_FLOAT ||
                   k->type == APP_T_BOOL)) {
        snprintf(msg, cap, "%s: expected %s, got the quoted string \"%s\"",
                 k->path,
                 k->type == APP_T_BOOL ? "true or false"
                 : k->type == APP_T_INT ? "an integer"
                                        : "a number",
                 text);
        return DTFL_ECONFIG;
    }
    switch (k->type) {
    case APP_T_INT:
        return schema__int(k, dst, text, msg, cap);
    case APP_T_FLOAT:
        return schema__float(k, dst, text, msg, cap);
    case APP_T_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
            *(int *)dst = text[0] == 't';
            return 0;
        }
        snprintf(msg, cap, "%s: expected true or false, got '%s'", k->path,
                 text);
        return DTFL_ECONFIG;
    case APP_T_STR:
        if (strlen(text) >= k->size) {
            snprintf(msg, cap, "%s: longer than %zu characters", k->path,
                     k->size - 1);
            return DTFL_ECONFIG;
        }
        if (k->min > 0 && text[0] == '\0') {
            snprintf(msg, cap, "%s: must not be empty", k->path);
            return DTFL_ECONFIG;
        }
        memcpy(dst, text, strlen(text) + 1);
        return 0;
    case APP_T_ENUM:
        return schema__enum(k, dst, text, msg, cap);
    }
    snprintf(msg, cap, "%s: unknown type", k->path);
    return DTFL_EINTERNAL;
}

/* Shortest %g that reads back as the same double. */
static void schema__double(double v, char *buf, size_t cap)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 2 < cap)
        strcat(buf, ".0");
}

/* A string as YAML: plain when that is unambiguous, double-quoted else. */
static void schema__string(const char *s, char *buf, size_t cap)
{
    int plain = s[0] != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || strchr("_./-+", *p);
    if (plain && strchr("-+.0123456789", s[0]) == NULL && !schema__null(s) &&
        strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
        snprintf(buf, cap, "%s", s);
        return;
    }
    size_t o = 0;
    if (o + 1 < cap)
        buf[o++] = '"';
    for (const char *p = s; *p && o + 3 < cap; p++) {
        if (*p == '"' || *p == '\\')
            buf[o++] = '\\';
        buf[o++] = *p;
    }
    if (o + 1 < cap)
        buf[o++] = '"';
    buf[o] = '\0';
}

void app__key_format(const app_key *k, const app_config *cfg, char *buf,
                     size_t cap)
{
    const void *src = (const char *)cfg + k->off;
    switch (k->type) {
    case APP_T_INT:
        snprintf(buf, cap, "%lld", (long long)*(const int64_t *)src);
        break;
    case APP_T_FLOAT:
        schema__double(*(const double *)src, buf, cap);
        break;
    case APP_T_BOOL:
        snprintf(buf, cap, "%s", *(const int *)src ? "true" : "false");
        break;
    case APP_T_STR:
        schema__string((const char *)src, buf, cap);
        break;
    case APP_T_ENUM:
        snprintf(buf, cap, "%s", k->names[*(const int *)src]);
        break;
    }
}
