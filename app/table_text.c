/*
 * table_text.c - the CSV text of a scenario's declared tables (scen.h's
 * scen_table): a header of the driver's columns around the scenario's, and
 * a row of values in each column's printf format. Every driver (analytic
 * runs, training, real runs) writes its tables through these two.
 */
#include "env.h"

#include <stdio.h>

int app_table_header(char *buf, size_t cap, const char *head,
                     const scen_table *t, const char *tail)
{
    size_t used = (size_t)snprintf(buf, cap, "%s", head);
    for (int c = 0; c < t->ncols && used < cap; c++)
        used += (size_t)snprintf(buf + used, cap - used, ",%s", t->col[c].name);
    if (tail != NULL && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, ",%s", tail);
    return used < cap ? 0 : DTFL_ERANGE;
}

size_t app_row_format(char *buf, size_t cap, const scen_table *t,
                      const double *v)
{
    size_t used = 0;
    for (int c = 0; c < t->ncols && used < cap; c++) {
        buf[used++] = ',';
        if (used < cap)
            used += (size_t)snprintf(buf + used, cap - used, t->col[c].fmt, v[c]);
    }
    if (used >= cap)
        used = cap - 1;
    buf[used] = '\0';
    return used;
}
