/*
 * schema.c - parsing and formatting of one key's value, by the key's row in
 * the table of schema_keys.c, and the checks that span several keys.
 *
 * Numbers are checked by hand (libyaml hands over text): an integer is an
 * optional sign and digits, a float is what strtod reads completely and is
 * finite; trailing junk such as "10abc" is an error, and so is a quoted
 * number.
 */
#include "config_int.h"
#include "env.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int schema__range_text(const app_key *k, app_config *cfg,
                              const char *text, char *msg, size_t cap);

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
                   k->type == APP_T_BOOL || k->type == APP_T_RANGE ||
                   k->type == APP_T_IRANGE)) {
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
        if (k->check != NULL && k->check(text, msg, cap))
            return DTFL_ECONFIG;
        memcpy(dst, text, strlen(text) + 1);
        return 0;
    case APP_T_ENUM:
        return schema__enum(k, dst, text, msg, cap);
    case APP_T_RANGE:
    case APP_T_IRANGE:
        return schema__range_text(k, cfg, text, msg, cap);
    }
    snprintf(msg, cap, "%s: unknown type", k->path);
    return DTFL_EINTERNAL;
}

int app__key_parse_range(const app_key *k, app_config *cfg,
                         const char *lo, int lo_quoted, const char *hi,
                         int hi_quoted, char *msg, size_t cap)
{
    /* each end is checked as one number of the key's bounds */
    const int ints = k->type == APP_T_IRANGE;
    const char *ends[2] = {lo, hi};
    const int quoted[2] = {lo_quoted, hi_quoted};
    int64_t iv[2] = {0, 0};
    double dv[2] = {0, 0};
    for (int e = 0; e < 2; e++) {
        if (quoted[e]) {
            snprintf(msg, cap, "%s: expected a number, got the quoted string "
                               "\"%s\"",
                     k->path, ends[e]);
            return DTFL_ECONFIG;
        }
        int rc = ints ? schema__int(k, &iv[e], ends[e], msg, cap)
                      : schema__float(k, &dv[e], ends[e], msg, cap);
        if (rc < 0)
            return rc;
    }
    if (ints ? iv[0] > iv[1] : dv[0] > dv[1]) {
        snprintf(msg, cap, "%s: [%s, %s] has its low end above its high end",
                 k->path, lo, hi);
        return DTFL_ECONFIG;
    }
    void *dst = (char *)cfg + k->off;
    if (ints)
        memcpy(dst, iv, sizeof iv);
    else
        memcpy(dst, dv, sizeof dv);
    return 0;
}

/* A range written as text: "[lo, hi]" or a single number x for [x, x]. */
static int schema__range_text(const app_key *k, app_config *cfg,
                              const char *text, char *msg, size_t cap)
{
    if (text[0] != '[')
        return app__key_parse_range(k, cfg, text, 0, text, 0, msg, cap);
    char lo[64], hi[64];
    const char *comma = strchr(text, ',');
    const char *close = strrchr(text, ']');
    if (comma == NULL || close == NULL || close < comma || close[1] != '\0' ||
        (size_t)(comma - text) > sizeof lo || (size_t)(close - comma) > sizeof hi) {
        snprintf(msg, cap, "%s: expected [lo, hi], got '%s'", k->path, text);
        return DTFL_ECONFIG;
    }
    snprintf(lo, sizeof lo, "%.*s", (int)(comma - text - 1), text + 1);
    snprintf(hi, sizeof hi, "%.*s", (int)(close - comma - 1), comma + 1);
    char *ends[2] = {lo, hi};
    for (int e = 0; e < 2; e++) { /* trim spaces */
        char *a = ends[e];
        while (*a == ' ')
            a++;
        memmove(ends[e], a, strlen(a) + 1);
        size_t n = strlen(ends[e]);
        while (n > 0 && ends[e][n - 1] == ' ')
            ends[e][--n] = '\0';
    }
    return app__key_parse_range(k, cfg, lo, 0, hi, 0, msg, cap);
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
    case APP_T_RANGE: {
        char a[40], b[40];
        schema__double(((const double *)src)[0], a, sizeof a);
        schema__double(((const double *)src)[1], b, sizeof b);
        snprintf(buf, cap, "[%s, %s]", a, b);
        break;
    }
    case APP_T_IRANGE:
        snprintf(buf, cap, "[%lld, %lld]", (long long)((const int64_t *)src)[0],
                 (long long)((const int64_t *)src)[1]);
        break;
    }
}

int app__key_foreign(const app_config *cfg, const char *path,
                     const char **owner)
{
    size_t len = strcspn(path, ".");
    if (path[len] != '.')
        return 0;
    for (int i = 0; i < scen_count(); i++) {
        const char *name = scen_at(i)->name;
        if (strlen(name) == len && strncmp(name, path, len) == 0) {
            *owner = name;
            return strcmp(name, cfg->scenario) != 0;
        }
    }
    return 0;
}

void app__config_resolve(app_config *cfg)
{
    const scen_ops *sc = scen_find(cfg->scenario);
    if (sc != NULL && cfg->sched.policy[0] == '\0')
        snprintf(cfg->sched.policy, sizeof cfg->sched.policy, "%s",
                 sc->default_policy);
}

/* The scenario's own checks, its sections and its policies. */
static void schema__scenario_check(const app_config *cfg,
                                   const unsigned char *set,
                                   void (*report)(void *, const char *,
                                                  const char *),
                                   void *ctx)
{
    char msg[512];
    int n;
    const app_key *ks = app__schema(&n);
    const char *owner;
    for (int i = 0; i < n; i++)
        if (set[i] && app__key_foreign(cfg, ks[i].path, &owner)) {
            snprintf(msg, sizeof msg, "%s: belongs to scenario %s, and this "
                                      "config's scenario is %s",
                     ks[i].path, owner, cfg->scenario);
            report(ctx, ks[i].path, msg);
        }
    const scen_ops *sc = scen_find(cfg->scenario);
    if (sc == NULL)
        return; /* reported by the key's own check */
    if (scen_policy_find(sc, cfg->sched.policy) == NULL) {
        const scen_ops *other = scen_policy_owner(cfg->sched.policy);
        size_t used = other != NULL
            ? (size_t)snprintf(msg, sizeof msg, "sched.policy: '%s' serves "
                                                "scenario %s, not %s; ",
                               cfg->sched.policy, other->name, sc->name)
            : (size_t)snprintf(msg, sizeof msg, "sched.policy: '%s' is not a "
                                                "policy of scenario %s; ",
                               cfg->sched.policy, sc->name);
        int best = -1, bestd = 1 << 30;
        used += (size_t)snprintf(msg + used, sizeof msg - used, "its policies "
                                                                "are ");
        for (int i = 0; sc->policies[i] != NULL && used < sizeof msg; i++) {
            int d = app_edit_distance(cfg->sched.policy, sc->policies[i]->name);
            if (d < bestd)
                bestd = d, best = i;
            used += (size_t)snprintf(msg + used, sizeof msg - used, "%s%s",
                                     i ? ", " : "", sc->policies[i]->name);
        }
        if (other == NULL && bestd <= 2 && used < sizeof msg)
            snprintf(msg + used, sizeof msg - used, " (did you mean '%s'?)",
                     sc->policies[best]->name);
        report(ctx, "sched.policy", msg);
    }
    app_scen_params params;
    scen_setup setup;
    app_scen_setup(cfg, &params, &setup);
    const char *key = NULL;
    if (sc->check(&setup, &key, msg, sizeof msg))
        report(ctx, key, msg);
}

void app__config_cross_check(const app_config *cfg, const unsigned char *set,
                             void (*report)(void *ctx, const char *path,
                                            const char *msg),
                             void *ctx)
{
    schema__scenario_check(cfg, set, report, ctx);
    if (cfg->servers.placement == 2 && cfg->servers.file[0] == '\0')
        report(ctx, "servers.file",
               "servers.file: required when servers.placement is file");
    if (cfg->mobility.model == 3 && cfg->mobility.trace[0] == '\0')
        report(ctx, "mobility.trace",
               "mobility.trace: required when mobility.model is trace");
    char msg[160];
    if (cfg->fl.min_servers > cfg->servers.count) {
        snprintf(msg, sizeof msg, "fl.min_servers: %lld is more than the "
                                  "%lld servers; no round could aggregate",
                 (long long)cfg->fl.min_servers, (long long)cfg->servers.count);
        report(ctx, "fl.min_servers", msg);
    }
    if (cfg->faults.migration != 0 &&
        cfg->faults.migration_user >= cfg->users.count) {
        snprintf(msg, sizeof msg, "faults.migration_user: %lld is not a user "
                                  "(users.count %lld)",
                 (long long)cfg->faults.migration_user,
                 (long long)cfg->users.count);
        report(ctx, "faults.migration_user", msg);
    }
}
