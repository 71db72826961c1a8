/*
 * fuzz_tdrive.c - libFuzzer target: any bytes as a T-Drive taxi file
 * (twin/tdrive.c), then, when they parse, the trace built from its rows as
 * the reader would. Every input must end in 0 or DTFL_EDATA, with a
 * message when refused, and never read outside the input.
 */
#include "../../twin/csv.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err = {0};
    int rc = twin__tdrive_parse("fuzz.txt", (const char *)data, size, &rows, &err);
    if (rc != 0 && rc != DTFL_EDATA)
        abort();
    if (rc != 0 && err.msg[0] == '\0')
        abort(); /* a refusal must say why */
    if (rc == 0 && rows.rows > 0) {
        for (int i = 0; i < rows.rows; i++) { /* as the reader: t from 0, in the world */
            rows.v[4 * i + 1] = rows.v[4 * i + 1] - rows.v[1];
            rows.v[4 * i + 2] += 180.0;
            rows.v[4 * i + 3] += 90.0;
        }
        twin_trace *t = NULL;
        rc = twin__trace_build(&t, "fuzz.txt", &rows, 360.0, 180.0, &err);
        if (rc == 0) {
            double x, y;
            twin_trace_at(t, 0, 1e4, &x, &y);
            if (!(x >= 0 && x <= 360.0 && y >= 0 && y <= 180.0))
                abort();
        }
        twin_trace_destroy(t);
    }
    twin__csv_free(&rows);
    return 0;
}
