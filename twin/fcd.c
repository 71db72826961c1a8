/*
 * fcd.c - vehicle traces from SUMO's floating-car data (`sumo
 * --fcd-output`), streamed with libxml2's xmlTextReader so a trace of
 * hundreds of megabytes never sits in memory as a tree:
 *
 *   <fcd-export>
 *     <timestep time="0.00">
 *       <vehicle id="veh0" x="5.10" y="1200.00" angle="90.00" speed="13.2" .../>
 *       ...
 *     </timestep>
 *   </fcd-export>
 *
 * Vehicles become users in the order they first appear (a run's PTs are
 * the first users.count vehicles on the road). Times must rise from one
 * timestep to the next; a vehicle at most once per timestep; id, x and y
 * present, x and y plain finite numbers; persons and containers (SUMO
 * writes them too) are passed over; any other element, and XML libxml2
 * refuses, is an error naming FILE:LINE. Positions outside the world
 * (lanes lie a little beside the network's edges) are moved onto its edge
 * and counted. Speed and heading are not kept: the scenarios derive
 * velocities from positions whatever the source.
 */
#include "csv.h"

#include <libxml/hash.h>
#include <libxml/xmlreader.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FCD_MAX_ID 128        /* bytes of a vehicle id */
#define FCD_MAX_VEHICLES 1000000

typedef struct fcd_ids {
    xmlHashTablePtr map;      /* id -> user index + 1 (libxml2's table) */
    int *seen;                /* (cap) timestep a vehicle was last in */
    size_t n, cap;
} fcd_ids;

typedef struct fcd_state {
    const char *name;
    xmlTextReaderPtr r;
    fcd_ids ids;
    twin_csv *rows;
    int cap_rows;
    double time;              /* of the open timestep */
    int step;                 /* timesteps seen */
    int in_step;
    double width, height;
    int clamped;
    char xml_err[256];        /* libxml2's first complaint */
    int xml_line;
    dtfl_err *err;
} fcd_state;

static void fcd__ids_free(fcd_ids *t)
{
    xmlHashFree(t->map, NULL);
    free(t->seen);
}

/* The user of an id, a new one when unseen; -1 when out of memory. */
static int fcd__user(fcd_ids *t, const char *id)
{
    const xmlChar *key = (const xmlChar *)id;
    void *v = t->map != NULL ? xmlHashLookup(t->map, key) : NULL;
    if (v != NULL)
        return (int)((intptr_t)v - 1);
    if (t->map == NULL && (t->map = xmlHashCreate(64)) == NULL)
        return -1;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        int *seen = realloc(t->seen, sizeof(int) * cap);
        if (seen == NULL)
            return -1;
        t->seen = seen, t->cap = cap;
    }
    if (xmlHashAddEntry(t->map, key, (void *)(intptr_t)(t->n + 1)) != 0)
        return -1;
    t->seen[t->n] = -1;
    return (int)t->n++;
}

static int fcd__fail(fcd_state *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fcd__fail(fcd_state *s, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dtfl_err_set(s->err, code, "%s:%d: %s", s->name,
                        xmlTextReaderGetParserLineNumber(s->r), msg);
}

/* libxml2's errors, the first kept with the line the parser was at */
static void fcd__xml_error(void *arg, xmlErrorPtr e)
{
    fcd_state *s = arg;
    if (s->xml_err[0] != '\0' || e == NULL || e->level < XML_ERR_ERROR)
        return;
    snprintf(s->xml_err, sizeof s->xml_err, "%s", e->message ? e->message : "XML error");
    size_t n = strlen(s->xml_err);
    while (n > 0 && (s->xml_err[n - 1] == '\n' || s->xml_err[n - 1] == ' '))
        s->xml_err[--n] = '\0';
    s->xml_line = e->line;
}

/* A plain finite number filling the whole attribute. */
static int fcd__number(const xmlChar *v, double *out)
{
    if (v == NULL || v[0] == '\0')
        return 0;
    char *end = NULL;
    *out = strtod((const char *)v, &end);
    return end != (const char *)v && *end == '\0' && isfinite(*out);
}

static int fcd__timestep(fcd_state *s)
{
    xmlChar *v = xmlTextReaderGetAttribute(s->r, BAD_CAST "time");
    double t = 0.0;
    int ok = fcd__number(v, &t) && t >= 0.0;
    xmlFree(v);
    if (!ok)
        return fcd__fail(s, DTFL_EDATA, "a timestep without a time >= 0");
    if (s->step > 0 && !(t > s->time))
        return fcd__fail(s, DTFL_EDATA, "time %g does not come after %g", t,
                         s->time);
    s->time = t;
    s->step++;
    s->in_step = !xmlTextReaderIsEmptyElement(s->r);
    return 0;
}

static int fcd__row(fcd_state *s, int user, double x, double y)
{
    twin_csv *rows = s->rows;
    if (rows->rows == s->cap_rows) {
        int cap = s->cap_rows ? 2 * s->cap_rows : 4096;
        double *v = realloc(rows->v, sizeof(double) * 4 * (size_t)cap);
        if (v != NULL)
            rows->v = v;
        int *line = v != NULL ? realloc(rows->line, sizeof(int) * (size_t)cap) : NULL;
        if (line == NULL)
            return -1;
        rows->line = line;
        s->cap_rows = cap;
    }
    const double cx = fmin(fmax(x, 0.0), s->width), cy = fmin(fmax(y, 0.0), s->height);
    s->clamped += cx != x || cy != y;
    double *r = rows->v + 4 * (size_t)rows->rows;
    r[0] = user, r[1] = s->time, r[2] = cx, r[3] = cy;
    rows->line[rows->rows++] = xmlTextReaderGetParserLineNumber(s->r);
    return 0;
}

static int fcd__vehicle(fcd_state *s)
{
    if (!s->in_step)
        return fcd__fail(s, DTFL_EDATA, "a vehicle outside any timestep");
    xmlChar *id = xmlTextReaderGetAttribute(s->r, BAD_CAST "id");
    xmlChar *vx = xmlTextReaderGetAttribute(s->r, BAD_CAST "x");
    xmlChar *vy = xmlTextReaderGetAttribute(s->r, BAD_CAST "y");
    double x = 0, y = 0;
    int rc = 0;
    if (id == NULL || id[0] == '\0' || strlen((const char *)id) >= FCD_MAX_ID)
        rc = fcd__fail(s, DTFL_EDATA, "a vehicle without an id (or one of "
                                      "%d bytes or more)", FCD_MAX_ID);
    else if (!fcd__number(vx, &x) || !fcd__number(vy, &y))
        rc = fcd__fail(s, DTFL_EDATA, "vehicle '%s' without plain numbers x "
                                      "and y", (const char *)id);
    int u = rc == 0 ? fcd__user(&s->ids, (const char *)id) : 0;
    if (rc == 0 && u < 0)
        rc = fcd__fail(s, DTFL_ENOMEM, "out of memory");
    else if (rc == 0 && u >= FCD_MAX_VEHICLES)
        rc = fcd__fail(s, DTFL_EDATA, "more than %d vehicles", FCD_MAX_VEHICLES);
    else if (rc == 0 && s->ids.seen[u] == s->step)
        rc = fcd__fail(s, DTFL_EDATA, "vehicle '%s' twice in the timestep at "
                                      "%g", (const char *)id, s->time);
    if (rc == 0) {
        s->ids.seen[u] = s->step;
        if (fcd__row(s, u, x, y) < 0)
            rc = fcd__fail(s, DTFL_ENOMEM, "out of memory");
    }
    xmlFree(id);
    xmlFree(vx);
    xmlFree(vy);
    return rc;
}

/* One node of the stream: elements open and close timesteps, add rows. */
static int fcd__node(fcd_state *s)
{
    const int type = xmlTextReaderNodeType(s->r), depth = xmlTextReaderDepth(s->r);
    const char *name = (const char *)xmlTextReaderConstName(s->r);
    if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "timestep") == 0) {
        s->in_step = 0;
        return 0;
    }
    if (type != XML_READER_TYPE_ELEMENT)
        return 0;
    if (depth == 0)
        return strcmp(name, "fcd-export") == 0
                   ? 0 : fcd__fail(s, DTFL_EDATA, "<%s> is not <fcd-export>: not "
                                                  "SUMO floating-car data", name);
    if (depth == 1 && strcmp(name, "timestep") == 0)
        return fcd__timestep(s);
    if (strcmp(name, "vehicle") == 0)
        return depth == 2 ? fcd__vehicle(s)
                          : fcd__fail(s, DTFL_EDATA, "a vehicle outside any timestep");
    if (depth == 2 && (strcmp(name, "person") == 0 || strcmp(name, "container") == 0))
        return 0;
    return fcd__fail(s, DTFL_EDATA, "unexpected <%s> at depth %d", name, depth);
}

/* The whole stream; rows appended. */
static int fcd__run(fcd_state *s)
{
    xmlTextReaderSetStructuredErrorHandler(s->r, fcd__xml_error, s);
    int rc = 0, more;
    while (rc == 0 && (more = xmlTextReaderRead(s->r)) == 1)
        rc = fcd__node(s);
    if (rc == 0 && more < 0)
        rc = dtfl_err_set(s->err, DTFL_EDATA, "%s:%d: %s", s->name,
                          s->xml_err[0] ? s->xml_line
                                        : xmlTextReaderGetParserLineNumber(s->r),
                          s->xml_err[0] ? s->xml_err : "not well-formed XML");
    if (rc == 0 && s->rows->rows == 0)
        rc = dtfl_err_set(s->err, DTFL_EDATA, "%s: no vehicles", s->name);
    xmlFreeTextReader(s->r);
    fcd__ids_free(&s->ids);
    return rc;
}

/* no network, no entities expanded, no DTD loaded */
#define FCD_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR)

int twin__fcd_parse(const char *name, const char *buf, size_t len,
                    double width, double height, twin_csv *rows, int *clamped,
                    dtfl_err *err)
{
    fcd_state s = {.name = name, .rows = rows, .width = width,
                   .height = height, .err = err};
    s.r = len > 0 && len <= (size_t)0x7fffffff
              ? xmlReaderForMemory(buf, (int)len, name, NULL, FCD_XML_OPTIONS)
              : NULL;
    int rc = s.r == NULL ? dtfl_err_set(err, DTFL_EDATA, "%s: empty or not XML", name)
                         : fcd__run(&s);
    *clamped = s.clamped;
    return rc;
}

int twin_trace_load_fcd(twin_trace **out, const char *path, double width,
                        double height, int *clamped, dtfl_err *err)
{
    *out = NULL;
    *clamped = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return dtfl_err_set(err, DTFL_ENOINPUT, "%s: cannot open", path);
    fclose(f);
    twin_csv rows = {0, 4, NULL, NULL};
    fcd_state s = {.name = path, .rows = &rows, .width = width,
                   .height = height, .err = err};
    s.r = xmlReaderForFile(path, NULL, FCD_XML_OPTIONS);
    int rc = s.r == NULL ? dtfl_err_set(err, DTFL_EDATA, "%s: cannot read as XML", path)
                         : fcd__run(&s);
    *clamped = s.clamped;
    if (rc == 0)
        rc = twin__trace_build(out, path, &rows, width, height, err);
    twin__csv_free(&rows);
    return rc;
}
