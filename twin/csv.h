/*
 * csv.h - internal to twin/: a strict reader of small numeric CSV files
 * (server positions, trajectories). Every row must have exactly `cols`
 * numbers; one header line of non-numbers is allowed; problems are reported
 * as FILE:LINE: message.
 */
#ifndef DTFL_TWIN_CSV_H
#define DTFL_TWIN_CSV_H

#include "twin.h"

typedef struct twin_csv {
    int rows, cols;
    double *v;      /* (rows, cols) */
    int *line;      /* (rows,) 1-based line of each row, for messages */
} twin_csv;

int twin__csv_read(const char *path, int cols, twin_csv *out, dtfl_err *err);
void twin__csv_free(twin_csv *t);

/* T-Drive lines of one file's bytes appended to rows as (id, seconds since
 * 1970, lon, lat) (tdrive.c); FILE:LINE errors name `name`. */
int twin__tdrive_parse(const char *name, const char *buf, size_t len,
                       twin_csv *rows, dtfl_err *err);

/* SUMO floating-car data in buf appended to rows as (vehicle, t, x, y),
 * vehicles numbered in order of appearance, positions moved into the world
 * (counted in *clamped) (fcd.c); FILE:LINE errors name `name`. */
int twin__fcd_parse(const char *name, const char *buf, size_t len,
                    double width, double height, twin_csv *rows, int *clamped,
                    dtfl_err *err);

/* A trace from "id, t, x, y" rows in any order (trace.c); rows of an id
 * must have increasing t and lie in the world. */
int twin__trace_build(twin_trace **out, const char *path, twin_csv *raw,
                      double width, double height, dtfl_err *err);

#endif /* DTFL_TWIN_CSV_H */
