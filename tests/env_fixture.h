/*
 * env_fixture.h - for tests of scenarios and policies: a config's scenario
 * with its policy (app/env.h) from YAML text, reset to the run's own users.
 */
#ifndef DTFL_TEST_ENV_FIXTURE_H
#define DTFL_TEST_ENV_FIXTURE_H

#include "check.h"

#include "../app/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline app_env *test_env_of(const char *text)
{
    static app_config cfgs[4]; /* scenarios keep pointers into their config */
    static int next;
    app_config *cfg = &cfgs[next++ % 4];
    app_diag *diag = NULL;
    assert_int_equal(app_diag_create(&diag), 0);
    int rc = app_config_load_text(cfg, "test", text, strlen(text), 0, NULL, 0,
                                  app_limits_default(), diag);
    if (rc != 0)
        app_diag_print(diag, stderr);
    assert_int_equal(rc, 0);
    app_diag_destroy(diag);
    app_env *e = NULL;
    dtfl_err err;
    assert_int_equal(app_env_create(&e, cfg, &err), 0);
    assert_int_equal(app_env_reset(e, -1, &err), 0);
    return e;
}

/* The state of e's scenario (scen_ops.save), malloc'd; *len its size. */
static inline uint8_t *test_scen_state(app_env *e, size_t *len)
{
    scen *s = app_env_scen(e);
    dtfl_err err;
    *len = 0;
    assert_int_equal(scen_ops_of(s)->save(scen_self(s), NULL, len, &err), 0);
    uint8_t *buf = malloc(*len + 1);
    assert_non_null(buf);
    assert_int_equal(scen_ops_of(s)->save(scen_self(s), buf, len, &err), 0);
    return buf;
}

#endif /* DTFL_TEST_ENV_FIXTURE_H */
