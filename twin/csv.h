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

#endif /* DTFL_TWIN_CSV_H */
