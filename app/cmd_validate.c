/*
 * cmd_validate.c - `dtfl validate CONFIG [key=value ...]`: prints the
 * resolved config and exits 0, or prints every problem as
 * FILE:LINE:COLUMN: message on stderr, writes nothing else, and exits 78.
 */
#include "config_int.h"

#include <getopt.h>
#include <string.h>
#include <sysexits.h>

static const char validate_help[] =
    "usage: dtfl validate CONFIG [key=value ...]\n"
    "       dtfl validate --keys\n"
    "\n"
    "Checks CONFIG and the key=value overrides (dotted paths, e.g.\n"
    "fl.lr=0.01) against the schema. On success prints the resolved config\n"
    "(every key, defaults filled in) and exits 0. Otherwise prints every\n"
    "problem as FILE:LINE:COLUMN: message (overrides are named argv[N]) and\n"
    "exits 78 (EX_CONFIG); 66 when CONFIG cannot be read, 64 on misuse.\n"
    "--keys prints every key (type, range, default) as a Markdown table.\n";

/* The schema as Markdown: docs/config.md is this output. */
static void validate__keys(FILE *out)
{
    int n;
    const app_key *ks = app__schema(&n);
    fprintf(out, "| key | type | allowed | default | meaning |\n"
                 "|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const app_key *k = &ks[i];
        char allowed[256] = "", def[APP_PATH_MAX + 8];
        const char *type = "string";
        switch (k->type) {
        case APP_T_INT:
            type = "integer";
            snprintf(allowed, sizeof allowed, "[%lld, %lld]",
                     (long long)k->min, (long long)k->max);
            break;
        case APP_T_FLOAT:
            type = "number";
            snprintf(allowed, sizeof allowed, "%c%.10g, %.10g%c",
                     (k->flags & APP_MIN_OPEN) ? '(' : '[', k->min, k->max,
                     (k->flags & APP_MAX_OPEN) ? ')' : ']');
            break;
        case APP_T_BOOL:
            type = "boolean";
            snprintf(allowed, sizeof allowed, "true, false");
            break;
        case APP_T_ENUM:
            type = "choice";
            for (int j = 0; k->names[j]; j++) {
                size_t used = strlen(allowed);
                snprintf(allowed + used, sizeof allowed - used, "%s%s",
                         j ? ", " : "", k->names[j]);
            }
            break;
        case APP_T_STR:
            snprintf(allowed, sizeof allowed, "up to %zu characters%s",
                     k->size - 1, k->min > 0 ? ", not empty" : "");
            break;
        case APP_T_RANGE:
            type = "range";
            snprintf(allowed, sizeof allowed, "[lo, hi] within [%.10g, %.10g]",
                     k->min, k->max);
            break;
        case APP_T_IRANGE:
            type = "integer range";
            snprintf(allowed, sizeof allowed, "[lo, hi] within [%lld, %lld]",
                     (long long)k->min, (long long)k->max);
            break;
        }
        if (k->flags & APP_REQUIRED)
            snprintf(def, sizeof def, "(required)");
        else
            snprintf(def, sizeof def, "`%s`", k->def[0] ? k->def : "\"\"");
        fprintf(out, "| `%s` | %s | %s | %s | %s |\n", k->path, type,
                allowed, def, k->doc);
    }
}

int app_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"keys", no_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+hk", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(validate_help, stdout);
            return EX_OK;
        }
        if (c == 'k') {
            validate__keys(stdout);
            return EX_OK;
        }
        fputs(validate_help, stderr);
        return EX_USAGE;
    }
    app_config cfg;
    int status = app_load_from_args(&cfg, argc, argv, optind, "validate");
    if (status != 0)
        return status;
    app_config_dump(&cfg, stdout);
    return EX_OK;
}
