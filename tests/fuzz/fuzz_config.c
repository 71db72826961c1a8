/*
 * fuzz_config.c - libFuzzer target: YAML text through the whole config
 * loader (libyaml events, the tree with its depth, size and alias limits,
 * the schema's type and range checks, the diagnostics), as `dtfl validate`
 * would read a file. Every input must end in 0 or DTFL_ECONFIG.
 */
#include "../../app/app.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    app_diag *diag = NULL;
    if (app_diag_create(&diag) < 0)
        return 0;
    app_config cfg;
    int rc = app_config_load_text(&cfg, "fuzz.yaml", (const char *)data, size,
                                  0, NULL, 0, app_limits_default(), diag);
    if (rc != 0 && rc != DTFL_ECONFIG)
        abort(); /* no other outcome is allowed for text */
    if (rc != 0 && app_diag_count(diag) == 0)
        abort(); /* a refusal must say why */
    app_diag_destroy(diag);
    return 0;
}
