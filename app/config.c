/*
 * config.c - loads a configuration: reads the file under limits, parses it
 * into a tree (yaml.c), grafts key=value overrides onto the tree, walks the
 * tree against the schema (schema.c) collecting every problem with its
 * FILE:LINE:COLUMN, fills defaults, and dumps the resolved result.
 *
 * An override is a node like any other, whose "file" is argv[N] and whose
 * column points into that argument, so overrides are validated by the same
 * walk and reported in the same format.
 */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>

#define CONFIG_MSG 512

app_limits app_limits_default(void)
{
    app_limits l = {.max_bytes = 1u << 20, .max_depth = 32,
                    .max_nodes = 10000, .max_scalar = 4096};
    return l;
}

/* ---- schema lookups ---- */

static const app_key *config__find(const char *path)
{
    int n;
    const app_key *ks = app__schema(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(ks[i].path, path) == 0)
            return &ks[i];
    return NULL;
}

/* Is path a section, i.e. a strict prefix of some key followed by a dot? */
static int config__is_section(const char *path)
{
    int n;
    const app_key *ks = app__schema(&n);
    size_t len = strlen(path);
    for (int i = 0; i < n; i++)
        if (strncmp(ks[i].path, path, len) == 0 && ks[i].path[len] == '.')
            return 1;
    return 0;
}

static void config__join(char *out, size_t cap, const char *prefix,
                         const char *name)
{
    if (prefix[0] == '\0')
        snprintf(out, cap, "%s", name);
    else
        snprintf(out, cap, "%s.%s", prefix, name);
}

/* The nearest known name for an unknown key: first among its siblings of the
 * same kind (a section when the unknown key holds a mapping, a key when it
 * holds a value), then among every full path. Writes "" when nothing is
 * close. */
static void config__suggest(const char *prefix, const char *name,
                            int want_section, char *out, size_t cap)
{
    int n;
    const app_key *ks = app__schema(&n);
    size_t plen = strlen(prefix);
    int bestd = 1 << 30;
    out[0] = '\0';
    char cand[128];
    for (int i = 0; i < n; i++) {
        const char *p = ks[i].path;
        if (plen && (strncmp(p, prefix, plen) != 0 || p[plen] != '.'))
            continue;
        const char *rest = plen ? p + plen + 1 : p;
        /* sibling name: the next path segment */
        size_t seg = strcspn(rest, ".");
        if (seg >= sizeof cand)
            continue;
        memcpy(cand, rest, seg);
        cand[seg] = '\0';
        int is_section = rest[seg] == '.';
        /* the wrong kind counts one edit more, so the right kind wins ties */
        int d = app_edit_distance(name, cand) + (is_section != want_section);
        if (d < bestd) {
            bestd = d;
            snprintf(out, cap, "%s", cand);
        }
    }
    int limit = (int)strlen(name) / 3 + 1;
    if (bestd <= (limit < 2 ? 2 : limit)) {
        char sibling[128];
        snprintf(sibling, sizeof sibling, "%s", out);
        config__join(out, cap, prefix, sibling);
        return;
    }
    out[0] = '\0';
    bestd = 1 << 30;
    char full[256];
    config__join(full, sizeof full, prefix, name);
    for (int i = 0; i < n; i++) {
        const char *leaf = strrchr(ks[i].path, '.');
        leaf = leaf ? leaf + 1 : ks[i].path;
        int d = strcmp(leaf, name) == 0 ? 0 : app_edit_distance(full, ks[i].path);
        if (d < bestd) {
            bestd = d;
            snprintf(out, cap, "%s", ks[i].path);
        }
    }
    if (bestd > 2)
        out[0] = '\0';
}

static const char *config__kind_name(const app_node *n)
{
    switch (n->kind) {
    case APP_NODE_MAP: return "a mapping";
    case APP_NODE_SEQ: return "a list";
    default: return "a value";
    }
}

/* ---- the walk ---- */

typedef struct walk_ctx {
    app_config *cfg;
    app_diag *diag;
    unsigned char *set;         /* (schema length,) key was given */
    const app_node **where;     /* (schema length,) its value, for cross
                                   checks that point at it */
    const app_node *root;
} walk_ctx;

static void config__walk(walk_ctx *w, const app_node *map, const char *prefix);

static void config__leaf(walk_ctx *w, const app_key *k, int ki,
                         const app_node *val)
{
    w->set[ki] = 1; /* given, even if wrong: not also "missing" */
    w->where[ki] = val;
    char msg[CONFIG_MSG];
    if ((k->type == APP_T_RANGE || k->type == APP_T_IRANGE) &&
        val->kind == APP_NODE_SEQ) {
        const app_node *a = val->nkids == 2 ? val->kids[0] : NULL;
        const app_node *b = val->nkids == 2 ? val->kids[1] : NULL;
        if (a == NULL || a->kind != APP_NODE_SCALAR || b->kind != APP_NODE_SCALAR)
            app_diag_add(w->diag, val->file, val->source, val->line, val->col,
                         "%s: expected [lo, hi], two numbers", k->path);
        else if (app__key_parse_range(k, w->cfg, a->text, a->quoted, b->text,
                                      b->quoted, msg, sizeof msg) < 0)
            app_diag_add(w->diag, val->file, val->source, val->line, val->col,
                         "%s", msg);
        return;
    }
    if (val->kind != APP_NODE_SCALAR) {
        app_diag_add(w->diag, val->file, val->source, val->line, val->col,
                     "%s: expected a single value, got %s", k->path,
                     config__kind_name(val));
        return;
    }
    if (app__key_parse(k, w->cfg, val->text, val->quoted, msg, sizeof msg) < 0)
        app_diag_add(w->diag, val->file, val->source, val->line, val->col,
                     "%s", msg);
}

static void config__entry(walk_ctx *w, const app_node *key,
                          const app_node *val, const char *prefix)
{
    char path[256];
    config__join(path, sizeof path, prefix, key->text);
    const app_key *k = config__find(path);
    if (k != NULL) {
        int n;
        const app_key *ks = app__schema(&n);
        config__leaf(w, k, (int)(k - ks), val);
        return;
    }
    if (config__is_section(path)) {
        if (val->kind == APP_NODE_MAP)
            config__walk(w, val, path);
        else
            app_diag_add(w->diag, val->file, val->source, val->line, val->col,
                         "%s: is a section and needs a mapping of keys, got "
                         "%s",
                         path, config__kind_name(val));
        return;
    }
    char hint[160];
    config__suggest(prefix, key->text, val->kind == APP_NODE_MAP, hint,
                    sizeof hint);
    if (hint[0])
        app_diag_add(w->diag, key->file, key->source, key->line, key->col,
                     "unknown key '%s' (did you mean '%s'?)", path, hint);
    else
        app_diag_add(w->diag, key->file, key->source, key->line, key->col,
                     "unknown key '%s'", path);
}

static void config__walk(walk_ctx *w, const app_node *map, const char *prefix)
{
    for (int i = 0; i + 1 < map->nkids; i += 2) {
        const app_node *key = map->kids[i];
        int dup = -1;
        for (int j = 0; j < i && dup < 0; j += 2)
            if (strcmp(map->kids[j]->text, key->text) == 0)
                dup = j;
        if (dup >= 0) {
            app_diag_add(w->diag, key->file, key->source, key->line, key->col,
                         "duplicate key '%s' (first at line %d, column %d)",
                         key->text, map->kids[dup]->line,
                         map->kids[dup]->col);
            continue;
        }
        config__entry(w, key, map->kids[i + 1], prefix);
    }
}

/* ---- overrides ---- */

/* Finds the value node for `name` in map, or NULL. */
static app_node *config__child(app_node *map, const char *name, int *index)
{
    for (int i = 0; i + 1 < map->nkids; i += 2)
        if (strcmp(map->kids[i]->text, name) == 0) {
            *index = i + 1;
            return map->kids[i + 1];
        }
    return NULL;
}

/* Grafts "a.b.c=value" (argv[argi]) onto the tree. */
static int config__override(app_doc *doc, const char *arg, int argi,
                            int source, app_diag *diag)
{
    char label[32];
    snprintf(label, sizeof label, "argv[%d]", argi);
    const char *file = app__yaml_intern(doc, label);
    if (file == NULL)
        return DTFL_ENOMEM;
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        app_diag_add(diag, file, source, 1, 1,
                     "expected key=value, got '%s'", arg);
        return DTFL_ECONFIG;
    }
    app_node *root = app__yaml_root(doc);
    if (root == NULL || root->kind != APP_NODE_MAP)
        return DTFL_ECONFIG; /* the file's own error is already reported */
    app_node *map = root;
    const char *seg = arg;
    while (seg < eq) {
        size_t len = strcspn(seg, ".=");
        char name[128];
        if (len == 0 || len >= sizeof name) {
            app_diag_add(diag, file, source, 1, (int)(seg - arg) + 1,
                         "bad key path in '%s'", arg);
            return DTFL_ECONFIG;
        }
        memcpy(name, seg, len);
        name[len] = '\0';
        int last = seg[len] == '=';
        int col = (int)(seg - arg) + 1;
        int at = -1;
        app_node *next = config__child(map, name, &at);
        if (last) {
            app_node *v = app__yaml_new(doc, APP_NODE_SCALAR, file, source, 1,
                                        (int)(eq - arg) + 2, eq + 1);
            if (v == NULL)
                return DTFL_ENOMEM;
            if (next != NULL && next->kind == APP_NODE_MAP) {
                app_diag_add(diag, file, source, 1, col,
                             "'%s' is a section; set one of its keys "
                             "(%s.KEY=VALUE)",
                             name, name);
                return DTFL_ECONFIG;
            }
            if (next != NULL) {
                map->kids[at] = v; /* replaces the file's value */
                return 0;
            }
            app_node *k = app__yaml_new(doc, APP_NODE_SCALAR, file, source, 1,
                                        col, name);
            if (k == NULL || app__yaml_append(map, k) < 0 ||
                app__yaml_append(map, v) < 0)
                return DTFL_ENOMEM;
            return 0;
        }
        if (next == NULL) {
            app_node *k = app__yaml_new(doc, APP_NODE_SCALAR, file, source, 1,
                                        col, name);
            next = app__yaml_new(doc, APP_NODE_MAP, file, source, 1, col, NULL);
            if (k == NULL || next == NULL || app__yaml_append(map, k) < 0 ||
                app__yaml_append(map, next) < 0)
                return DTFL_ENOMEM;
        } else if (next->kind != APP_NODE_MAP) {
            app_diag_add(diag, file, source, 1, col,
                         "'%.*s' is not a section, so '%s' cannot be set",
                         (int)(seg - arg + len), arg, arg);
            return DTFL_ECONFIG;
        }
        map = next;
        seg += len + 1;
    }
    return 0;
}

/* ---- defaults and required keys ---- */

/* The deepest mapping on the way to a key's path that the tree has. */
static const app_node *config__section_of(const app_node *root,
                                          const char *path)
{
    const app_node *map = root;
    const char *seg = path;
    for (;;) {
        size_t len = strcspn(seg, ".");
        if (seg[len] != '.')
            return map;
        const app_node *next = NULL;
        for (int i = 0; i + 1 < map->nkids && next == NULL; i += 2)
            if (strlen(map->kids[i]->text) == len &&
                strncmp(map->kids[i]->text, seg, len) == 0)
                next = map->kids[i + 1];
        if (next == NULL || next->kind != APP_NODE_MAP)
            return map;
        map = next;
        seg += len + 1;
    }
}

/* Reports a cross-key problem at the key's value, or its section. */
static void config__cross_report(void *ctx, const char *path, const char *msg)
{
    walk_ctx *w = ctx;
    int n;
    const app_key *ks = app__schema(&n);
    const app_node *at = NULL;
    for (int i = 0; i < n && at == NULL; i++)
        if (strcmp(ks[i].path, path) == 0)
            at = w->where[i];
    if (at == NULL)
        at = config__section_of(w->root, path);
    app_diag_add(w->diag, at->file, at->source, at->line, at->col, "%s", msg);
}

static void config__finish(walk_ctx *w, const app_node *root)
{
    int n;
    const app_key *ks = app__schema(&n);
    char msg[CONFIG_MSG];
    for (int i = 0; i < n; i++) {
        if (w->set[i])
            continue;
        if (ks[i].flags & APP_REQUIRED) {
            const app_node *at = config__section_of(root, ks[i].path);
            app_diag_add(w->diag, at->file, at->source, at->line, at->col,
                         "missing required key '%s' (%s)", ks[i].path,
                         ks[i].doc);
            continue;
        }
        /* defaults are config text too; strings may be empty */
        if (app__key_parse(&ks[i], w->cfg, ks[i].def,
                           ks[i].type == APP_T_STR, msg, sizeof msg) < 0)
            app_diag_add(w->diag, "(schema)", 0, 1, 1, "bad default: %s", msg);
    }
    if (app_diag_count(w->diag) == 0) {
        app__config_resolve(w->cfg);
        app__config_cross_check(w->cfg, w->set, config__cross_report, w);
    }
}

int app_config_load_text(app_config *cfg, const char *name, const char *buf,
                         size_t len, int noverrides, char *const *overrides,
                         int argv_index, app_limits lim, app_diag *diag)
{
    memset(cfg, 0, sizeof *cfg);
    int n;
    app__schema(&n);
    app_doc *doc = NULL;
    unsigned char *set = calloc((size_t)n, 1);
    const app_node **where = calloc((size_t)n, sizeof *where);
    int rc = DTFL_ENOMEM;
    if (set == NULL || where == NULL)
        goto done;
    rc = app__yaml_parse(&doc, name, buf, len, lim, diag);
    if (rc < 0)
        goto done;
    app_node *root = app__yaml_root(doc);
    if (root == NULL || (root->kind == APP_NODE_SCALAR && root->text[0] == 0)) {
        app_diag_add(diag, name, 0, 1, 1,
                     "empty config: expected a mapping of keys");
        rc = DTFL_ECONFIG;
        goto done;
    }
    if (root->kind != APP_NODE_MAP) {
        app_diag_add(diag, name, 0, root->line, root->col,
                     "a config is a mapping of keys, got %s",
                     config__kind_name(root));
        rc = DTFL_ECONFIG;
        goto done;
    }
    for (int i = 0; i < noverrides; i++)
        config__override(doc, overrides[i], argv_index + i, i + 1, diag);
    walk_ctx w = {cfg, diag, set, where, root};
    config__walk(&w, root, "");
    config__finish(&w, root);
    rc = app_diag_count(diag) > 0 ? DTFL_ECONFIG : 0;
done:
    app__yaml_destroy(doc);
    free(set);
    free(where);
    return rc;
}

/* The part of a file error after "PATH: " (the diagnostic names the path). */
static const char *strerror_of(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

int app_config_load(app_config *cfg, const char *path, int noverrides,
                    char *const *overrides, int argv_index, app_diag *diag)
{
    app_limits lim = app_limits_default();
    uint8_t *buf = NULL;
    size_t len = 0;
    dtfl_err err;
    int rc = dtfl_file_read_all(path, lim.max_bytes, &buf, &len, &err);
    if (rc == DTFL_EDATA) {
        app_diag_add(diag, path, 0, 1, 1,
                     "config is larger than the limit of %zu bytes",
                     lim.max_bytes);
        return DTFL_ECONFIG;
    }
    if (rc < 0) {
        app_diag_add(diag, path, 0, 0, 0, "%s", strerror_of(err.msg, path));
        return rc == DTFL_ENOINPUT ? DTFL_ENOINPUT : DTFL_ECONFIG;
    }
    rc = app_config_load_text(cfg, path, (const char *)buf, len, noverrides,
                              overrides, argv_index, lim, diag);
    free(buf);
    return rc;
}

void app_config_dump(const app_config *cfg, FILE *out)
{
    int n;
    const app_key *ks = app__schema(&n);
    char section[64] = "";
    char val[APP_PATH_MAX * 2 + 8];
    fprintf(out, "# dtfl resolved configuration\n");
    for (int i = 0; i < n; i++) {
        const char *dot = strchr(ks[i].path, '.');
        const char *leaf = ks[i].path, *owner;
        if (app__key_foreign(cfg, ks[i].path, &owner))
            continue; /* another scenario's section */
        if (dot != NULL) {
            size_t len = (size_t)(dot - ks[i].path);
            if (strlen(section) != len ||
                strncmp(section, ks[i].path, len) != 0) {
                snprintf(section, sizeof section, "%.*s", (int)len,
                         ks[i].path);
                fprintf(out, "%s:\n", section);
            }
            leaf = dot + 1;
        }
        app__key_format(&ks[i], cfg, val, sizeof val);
        fprintf(out, "%s%s: %s\n", dot ? "  " : "", leaf, val);
    }
}

int app_config_classes(const app_config *cfg)
{
    return strcmp(cfg->data.classes, "auto") == 0 ? 0 : atoi(cfg->data.classes);
}

void app_config_out_dir(const app_config *cfg, char *buf, size_t cap)
{
    if (cfg->out[0] != '\0')
        snprintf(buf, cap, "%s", cfg->out);
    else
        snprintf(buf, cap, "results/%s", cfg->name);
}

int app_config_data_path(const app_config *cfg, const char *file, char *buf,
                         size_t cap, dtfl_err *err)
{
    return dtfl_path_join(buf, cap, cfg->data.dir, file, err);
}
