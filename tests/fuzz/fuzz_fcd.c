/*
 * fuzz_fcd.c - libFuzzer target: any bytes as SUMO floating-car data
 * (twin/fcd.c, through libxml2's streaming reader), then, when they parse,
 * the trace built from their rows as the reader would. Every input must
 * end in 0 or DTFL_EDATA, with a message when refused, positions inside
 * the world, and never read outside the input.
 */
#include "../../twin/csv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err = {0};
    int clamped = 0;
    int rc = twin__fcd_parse("fuzz.xml", (const char *)data, size, 1000.0, 1000.0,
                             &rows, &clamped, &err);
    if (rc != 0 && rc != DTFL_EDATA)
        abort();
    if (rc != 0 && err.msg[0] == '\0')
        abort(); /* a refusal must say why */
    if (rc == 0) {
        twin_trace *t = NULL;
        rc = twin__trace_build(&t, "fuzz.xml", &rows, 1000.0, 1000.0, &err);
        if (rc == 0) {
            double x, y;
            twin_trace_at(t, twin_trace_users(t) - 1, 0.5, &x, &y);
            if (!(x >= 0 && x <= 1000.0 && y >= 0 && y <= 1000.0))
                abort();
        }
        twin_trace_destroy(t);
    }
    twin__csv_free(&rows);
    return 0;
}
