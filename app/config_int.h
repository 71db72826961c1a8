/*
 * config_int.h - internal to app/: the YAML node tree a config is read into,
 * and the schema table that says what a config may contain.
 */
#ifndef DTFL_APP_CONFIG_INT_H
#define DTFL_APP_CONFIG_INT_H

#include <stddef.h>

#include "app.h"

/* ---- YAML tree (yaml.c) ---- */

typedef enum app_node_kind {
    APP_NODE_SCALAR,
    APP_NODE_MAP,
    APP_NODE_SEQ
} app_node_kind;

typedef struct app_node {
    app_node_kind kind;
    const char *file;        /* name used in messages */
    int source;              /* 0 for the file, k for the k-th override */
    int line, col;           /* 1-based position */
    int quoted;              /* scalar was single- or double-quoted */
    int open;                /* collection still being read (alias guard) */
    char *text;              /* scalar text */
    struct app_node **kids;  /* map: key0, value0, key1, ...; seq: items */
    int nkids, cap;
    size_t weight;           /* nodes in this subtree, aliases expanded */
} app_node;

typedef struct app_doc app_doc;

/* Parses YAML text into a tree, enforcing the limits. Problems go to diag;
 * returns 0 or DTFL_ECONFIG. *out is set even on failure (may be empty). */
int app__yaml_parse(app_doc **out, const char *name, const char *buf,
                    size_t len, app_limits lim, app_diag *diag);
void app__yaml_destroy(app_doc *doc);
/* The root node, NULL for an empty document. */
app_node *app__yaml_root(app_doc *doc);
/* New nodes owned by the document (for overrides). NULL on no memory. */
app_node *app__yaml_new(app_doc *doc, app_node_kind kind, const char *file,
                        int source, int line, int col, const char *text);
/* A copy of s owned by the document (file names of overrides). */
const char *app__yaml_intern(app_doc *doc, const char *s);
/* Appends a child; returns 0 or DTFL_ENOMEM. */
int app__yaml_append(app_node *parent, app_node *kid);

/* ---- schema (schema.c) ---- */

typedef enum app_type {
    APP_T_INT,    /* int64_t */
    APP_T_FLOAT,  /* double */
    APP_T_BOOL,   /* int, 0 or 1 */
    APP_T_STR,    /* char[size] */
    APP_T_ENUM,   /* int, index into names */
    APP_T_RANGE,  /* double[2], [lo, hi] with lo <= hi (a number x is [x, x]) */
    APP_T_IRANGE  /* int64_t[2], the same with integers */
} app_type;

enum {
    APP_REQUIRED = 1u << 0, /* no default: the config must set it */
    APP_MIN_OPEN = 1u << 1, /* min itself is not allowed */
    APP_MAX_OPEN = 1u << 2  /* max itself is not allowed */
};

typedef struct app_key {
    const char *path;           /* dotted path, e.g. "fl.lr" */
    app_type type;
    size_t off;                 /* offsetof(app_config, ...) */
    size_t size;                /* strings: capacity in bytes */
    double min, max;            /* numbers: allowed range */
    unsigned flags;
    const char *def;            /* default, as config text */
    const char *const *names;   /* enums: NULL-terminated */
    const char *doc;            /* one line for the docs and the dump */
    /* extra check of a string value (e.g. a registry name); writes a message
     * and returns nonzero when the value is refused */
    int (*check)(const char *value, char *msg, size_t cap);
} app_key;

/* The schema, in dump order, and its length. */
const app_key *app__schema(int *n);

/* Parses one scalar for a key into cfg. On failure writes a message (without
 * position) to msg and returns DTFL_ECONFIG. */
int app__key_parse(const app_key *k, app_config *cfg, const char *text,
                   int quoted, char *msg, size_t cap);
/* Parses a [lo, hi] list (two scalar nodes) for a range key. */
int app__key_parse_range(const app_key *k, app_config *cfg,
                         const char *lo, int lo_quoted, const char *hi,
                         int hi_quoted, char *msg, size_t cap);

/* Fills what a config leaves to its scenario (sched.policy: the scenario's
 * default policy). */
void app__config_resolve(app_config *cfg);
/* Cross-key checks of a complete config (after defaults); set (schema
 * length) marks the keys the config gave. For each problem calls
 * report(ctx, key path, message). */
void app__config_cross_check(const app_config *cfg, const unsigned char *set,
                             void (*report)(void *ctx, const char *path,
                                            const char *msg),
                             void *ctx);
/* Whether a key belongs to a scenario's section other than cfg's scenario
 * (such keys are neither accepted nor dumped); writes the owner's name. */
int app__key_foreign(const app_config *cfg, const char *path,
                     const char **owner);
/* Writes a key's value from cfg as YAML text. */
void app__key_format(const app_key *k, const app_config *cfg, char *buf,
                     size_t cap);

#endif /* DTFL_APP_CONFIG_INT_H */
