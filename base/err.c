/*
 * err.c - the project's error records: names, descriptions, messages and the
 * <sysexits.h> status each code maps to. The list itself is DTFL_ERROR_LIST
 * in dtfl.h; nothing here repeats it by hand.
 */
#include "dtfl.h"

#include <stdarg.h>
#include <string.h>
#include <sysexits.h>

int dtfl_err_set(dtfl_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int dtfl_err_prefix(dtfl_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return DTFL_EINTERNAL;
    char out[DTFL_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    size_t used = n < 0 ? 0 : (size_t)n;
    if (used > sizeof out - 1)
        used = sizeof out - 1;
    /* append ": " and the old message, truncating what does not fit */
    const char *parts[2] = {": ", err->msg};
    for (int k = 0; k < 2; k++)
        for (const char *p = parts[k]; *p && used < sizeof out - 1; p++)
            out[used++] = *p;
    out[used] = '\0';
    memcpy(err->msg, out, sizeof out);
    return err->code;
}

void dtfl_err_clear(dtfl_err *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

const char *dtfl_err_name(int code)
{
    switch (code) {
#define DTFL__NAME(name, value, text) \
    case value:                       \
        return "DTFL_E" #name;
        DTFL_ERROR_LIST(DTFL__NAME)
#undef DTFL__NAME
    }
    return "DTFL_E?";
}

const char *dtfl_err_text(int code)
{
    switch (code) {
#define DTFL__TEXT(name, value, text) \
    case value:                       \
        return text;
        DTFL_ERROR_LIST(DTFL__TEXT)
#undef DTFL__TEXT
    }
    return "unknown error";
}

int dtfl_err_exit_status(int code)
{
    switch (code) {
    case DTFL_EOK:
        return EX_OK;
    case DTFL_EUSAGE:
        return EX_USAGE;
    case DTFL_EDATA:
    case DTFL_ERANGE:
    case DTFL_ECORRUPT:
    case DTFL_EVERSION:
    case DTFL_EINFEASIBLE:
        return EX_DATAERR;
    case DTFL_ENOINPUT:
        return EX_NOINPUT;
    case DTFL_ECONFIG:
        return EX_CONFIG;
    case DTFL_EIO:
        return EX_IOERR;
    case DTFL_ECANTCREATE:
        return EX_CANTCREAT;
    case DTFL_ENOMEM:
        return EX_OSERR;
    case DTFL_EPROTOCOL:
        return EX_PROTOCOL;
    default:
        return EX_SOFTWARE;
    }
}
