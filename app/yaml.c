/*
 * yaml.c - reads a YAML config into a small node tree with libyaml's event
 * parser, under limits that libyaml 0.2.5 does not enforce itself: nesting
 * depth, node count after alias expansion (the "billion laughs" guard),
 * scalar size; the caller caps the file size. Aliases are shared pointers,
 * never copies, and an alias to a collection that is still open (a cycle)
 * is refused. Every node remembers its file, line and column.
 */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_ANCHORS 256

struct app_doc {
    app_node *root;
    app_node **all;     /* every node, for freeing */
    size_t nall, capall;
    char *anchor_name[YAML_MAX_ANCHORS];
    app_node *anchor_node[YAML_MAX_ANCHORS];
    int nanchors;
    size_t expanded;    /* nodes counted with aliases expanded */
    char **strings;     /* strings owned by the document */
    int nstrings, capstrings;
};

app_node *app__yaml_new(app_doc *doc, app_node_kind kind, const char *file,
                        int source, int line, int col, const char *text)
{
    if (doc->nall == doc->capall) {
        size_t ncap = doc->capall ? doc->capall * 2 : 64;
        app_node **na = realloc(doc->all, ncap * sizeof *na);
        if (na == NULL)
            return NULL;
        doc->all = na;
        doc->capall = ncap;
    }
    app_node *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->source = source;
    n->line = line;
    n->col = col;
    n->weight = 1;
    if (text != NULL && (n->text = strdup(text)) == NULL) {
        free(n);
        return NULL;
    }
    doc->all[doc->nall++] = n;
    return n;
}

int app__yaml_append(app_node *parent, app_node *kid)
{
    if (parent->nkids == parent->cap) {
        int ncap = parent->cap ? parent->cap * 2 : 8;
        app_node **nk = realloc(parent->kids, (size_t)ncap * sizeof *nk);
        if (nk == NULL)
            return DTFL_ENOMEM;
        parent->kids = nk;
        parent->cap = ncap;
    }
    parent->kids[parent->nkids++] = kid;
    return 0;
}

void app__yaml_destroy(app_doc *doc)
{
    if (doc == NULL)
        return;
    for (size_t i = 0; i < doc->nall; i++) {
        free(doc->all[i]->text);
        free(doc->all[i]->kids);
        free(doc->all[i]);
    }
    for (int i = 0; i < doc->nanchors; i++)
        free(doc->anchor_name[i]);
    for (int i = 0; i < doc->nstrings; i++)
        free(doc->strings[i]);
    free(doc->strings);
    free(doc->all);
    free(doc);
}

app_node *app__yaml_root(app_doc *doc) { return doc->root; }

const char *app__yaml_intern(app_doc *doc, const char *s)
{
    if (doc->nstrings == doc->capstrings) {
        int ncap = doc->capstrings ? doc->capstrings * 2 : 8;
        char **ns = realloc(doc->strings, (size_t)ncap * sizeof *ns);
        if (ns == NULL)
            return NULL;
        doc->strings = ns;
        doc->capstrings = ncap;
    }
    char *copy = strdup(s);
    if (copy != NULL)
        doc->strings[doc->nstrings++] = copy;
    return copy;
}

/* Parser state while events arrive. */
typedef struct yaml_ctx {
    app_doc *doc;
    const char *name;
    app_limits lim;
    app_diag *diag;
    app_node *stack[128];
    int depth;
    int documents;
} yaml_ctx;

static int yaml__fail(yaml_ctx *c, const yaml_mark_t *m, const char *msg)
{
    app_diag_add(c->diag, c->name, 0, (int)m->line + 1, (int)m->column + 1,
                 "%s", msg);
    return DTFL_ECONFIG;
}

/* Attaches a finished node to the open collection (or makes it the root). */
static int yaml__attach(yaml_ctx *c, app_node *n, const yaml_mark_t *m)
{
    if (c->depth == 0) {
        c->doc->root = n;
        return 0;
    }
    app_node *parent = c->stack[c->depth - 1];
    if (parent->kind == APP_NODE_MAP && parent->nkids % 2 == 0 &&
        n->kind != APP_NODE_SCALAR)
        return yaml__fail(c, m, "a mapping key must be a plain name, not a "
                                "collection");
    if (app__yaml_append(parent, n) < 0)
        return yaml__fail(c, m, "out of memory");
    return 0;
}

static int yaml__anchor(yaml_ctx *c, const yaml_char_t *anchor, app_node *n,
                        const yaml_mark_t *m)
{
    if (anchor == NULL)
        return 0;
    if (c->doc->nanchors == YAML_MAX_ANCHORS)
        return yaml__fail(c, m, "too many anchors (limit 256)");
    char *s = strdup((const char *)anchor);
    if (s == NULL)
        return yaml__fail(c, m, "out of memory");
    c->doc->anchor_name[c->doc->nanchors] = s;
    c->doc->anchor_node[c->doc->nanchors] = n;
    c->doc->nanchors++;
    return 0;
}

static int yaml__count(yaml_ctx *c, size_t add, const yaml_mark_t *m)
{
    c->doc->expanded += add;
    if (c->doc->expanded > c->lim.max_nodes) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "config too large: more than %zu nodes once aliases are "
                 "expanded",
                 c->lim.max_nodes);
        return yaml__fail(c, m, msg);
    }
    return 0;
}

static int yaml__open(yaml_ctx *c, const yaml_event_t *ev, app_node_kind kind,
                      const yaml_char_t *anchor)
{
    const yaml_mark_t *m = &ev->start_mark;
    if (c->depth >= c->lim.max_depth || c->depth >= 128) {
        char msg[96];
        snprintf(msg, sizeof msg, "nesting deeper than %d levels",
                 c->lim.max_depth);
        return yaml__fail(c, m, msg);
    }
    int rc = yaml__count(c, 1, m);
    if (rc < 0)
        return rc;
    app_node *n = app__yaml_new(c->doc, kind, c->name, 0, (int)m->line + 1,
                                (int)m->column + 1, NULL);
    if (n == NULL)
        return yaml__fail(c, m, "out of memory");
    n->open = 1;
    if ((rc = yaml__anchor(c, anchor, n, m)) < 0)
        return rc;
    if ((rc = yaml__attach(c, n, m)) < 0)
        return rc;
    c->stack[c->depth++] = n;
    return 0;
}

static int yaml__close(yaml_ctx *c, const yaml_event_t *ev)
{
    app_node *n = c->stack[--c->depth];
    n->open = 0;
    size_t w = 1;
    for (int i = 0; i < n->nkids; i++)
        w += n->kids[i]->weight;
    n->weight = w;
    if (n->kind == APP_NODE_MAP && n->nkids % 2 != 0)
        return yaml__fail(c, &ev->start_mark, "mapping key without a value");
    return 0;
}

static int yaml__scalar(yaml_ctx *c, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    if (ev->data.scalar.length > c->lim.max_scalar) {
        char msg[96];
        snprintf(msg, sizeof msg, "value longer than %zu bytes",
                 c->lim.max_scalar);
        return yaml__fail(c, m, msg);
    }
    if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
        return yaml__fail(c, m, "value contains a NUL byte");
    int rc = yaml__count(c, 1, m);
    if (rc < 0)
        return rc;
    app_node *n = app__yaml_new(c->doc, APP_NODE_SCALAR, c->name, 0,
                                (int)m->line + 1, (int)m->column + 1,
                                (const char *)ev->data.scalar.value);
    if (n == NULL)
        return yaml__fail(c, m, "out of memory");
    n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if ((rc = yaml__anchor(c, ev->data.scalar.anchor, n, m)) < 0)
        return rc;
    return yaml__attach(c, n, m);
}

static int yaml__alias(yaml_ctx *c, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    const char *name = (const char *)ev->data.alias.anchor;
    app_node *target = NULL;
    for (int i = c->doc->nanchors - 1; i >= 0; i--)
        if (strcmp(c->doc->anchor_name[i], name) == 0) {
            target = c->doc->anchor_node[i];
            break;
        }
    char msg[160];
    if (target == NULL) {
        snprintf(msg, sizeof msg, "alias *%.64s names no anchor defined before "
                                  "it", name);
        return yaml__fail(c, m, msg);
    }
    if (target->open) {
        snprintf(msg, sizeof msg, "alias *%.64s refers to a collection that "
                                  "contains it (a cycle)", name);
        return yaml__fail(c, m, msg);
    }
    int rc = yaml__count(c, target->weight, m);
    if (rc < 0)
        return rc;
    return yaml__attach(c, target, m);
}

static int yaml__event(yaml_ctx *c, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++c->documents > 1)
            return yaml__fail(c, &ev->start_mark,
                              "a config holds one YAML document, found a "
                              "second");
        return 0;
    case YAML_MAPPING_START_EVENT:
        return yaml__open(c, ev, APP_NODE_MAP, ev->data.mapping_start.anchor);
    case YAML_SEQUENCE_START_EVENT:
        return yaml__open(c, ev, APP_NODE_SEQ, ev->data.sequence_start.anchor);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return yaml__close(c, ev);
    case YAML_SCALAR_EVENT:
        return yaml__scalar(c, ev);
    case YAML_ALIAS_EVENT:
        return yaml__alias(c, ev);
    default:
        return 0;
    }
}

int app__yaml_parse(app_doc **out, const char *name, const char *buf,
                    size_t len, app_limits lim, app_diag *diag)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return DTFL_ENOMEM;
    yaml_ctx c = {.doc = *out, .name = name, .lim = lim, .diag = diag};
    if (len > lim.max_bytes) {
        app_diag_add(diag, name, 0, 1, 1,
                     "config is %zu bytes, larger than the limit of %zu", len,
                     lim.max_bytes);
        return DTFL_ECONFIG;
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return DTFL_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int rc = 0, done = 0;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            char msg[320];
            snprintf(msg, sizeof msg, "YAML syntax error: %s%s%s",
                     p.problem ? p.problem : "unknown problem",
                     p.context ? " " : "", p.context ? p.context : "");
            rc = yaml__fail(&c, &p.problem_mark, msg);
            break;
        }
        rc = yaml__event(&c, &ev);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}
