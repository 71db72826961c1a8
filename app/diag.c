/*
 * diag.c - collects configuration problems as "FILE:LINE:COLUMN: message"
 * and prints them sorted (the file before overrides, then by position), so
 * a user sees every mistake of a config in one run, in reading order.
 */
#include "app.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct diag_item {
    int source, line, col, seq;
    char *text;
} diag_item;

struct app_diag {
    diag_item *items;
    int n, cap;
    int sorted;
};

int app_diag_create(app_diag **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : DTFL_ENOMEM;
}

void app_diag_destroy(app_diag *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < d->n; i++)
        free(d->items[i].text);
    free(d->items);
    free(d);
}

void app_diag_add(app_diag *d, const char *file, int source, int line, int col,
                  const char *fmt, ...)
{
    if (d->n == d->cap) {
        int ncap = d->cap ? d->cap * 2 : 16;
        diag_item *ni = realloc(d->items, (size_t)ncap * sizeof *ni);
        if (ni == NULL)
            return; /* the count still shows a failure was found earlier */
        d->items = ni;
        d->cap = ncap;
    }
    char body[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    size_t need = strlen(file) + strlen(body) + 32;
    char *text = malloc(need);
    if (text == NULL)
        return;
    if (line > 0)
        snprintf(text, need, "%s:%d:%d: %s", file, line, col, body);
    else
        snprintf(text, need, "%s: %s", file, body);
    d->items[d->n] = (diag_item){source, line, col, d->n, text};
    d->n++;
    d->sorted = 0;
}

int app_diag_count(const app_diag *d) { return d->n; }

static int diag__cmp(const void *a, const void *b)
{
    const diag_item *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void diag__sort(app_diag *d)
{
    if (!d->sorted && d->n > 1)
        qsort(d->items, (size_t)d->n, sizeof *d->items, diag__cmp);
    d->sorted = 1;
}

void app_diag_print(app_diag *d, FILE *out)
{
    diag__sort(d);
    for (int i = 0; i < d->n; i++)
        fprintf(out, "%s\n", d->items[i].text);
}

const char *app_diag_message(app_diag *d, int i)
{
    diag__sort(d);
    return i >= 0 && i < d->n ? d->items[i].text : NULL;
}
