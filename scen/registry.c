/*
 * registry.c - the scenarios of dtfl and an instance of one. Adding a
 * scenario means writing its files (docs/scenarios.md), one line in the
 * table below, its config section (app/schema_keys.c) and its presets.
 */
#include "scen_int.h"

#include <stdlib.h>
#include <string.h>

static const scen_ops *const registry[] = {
    &scen__diten_ops, /* 003: twin association and historical data */
    &scen__taco_ops,  /* 001: human twins, two timescales, queues */
    &scen__tmo_ops,   /* 000: vehicles' twins, predicted positions, UCB */
    &scen__eco_ops,   /* 004: offloading, caching, migration; twin or not */
    &scen__happo_ops, /* 002: DT sync and migration, multi-agent */
    &scen__toy_ops,   /* a test scenario: two servers, a known optimum */
};

int scen_count(void) { return (int)(sizeof registry / sizeof registry[0]); }
const scen_ops *scen_at(int i) { return registry[i]; }

const scen_ops *scen_find(const char *name)
{
    for (int i = 0; i < scen_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const scen_policy_ops *scen_policy_find(const scen_ops *s, const char *name)
{
    for (int i = 0; s->policies[i] != NULL; i++)
        if (strcmp(s->policies[i]->name, name) == 0)
            return s->policies[i];
    return NULL;
}

const scen_ops *scen_policy_owner(const char *name)
{
    for (int i = 0; i < scen_count(); i++)
        if (scen_policy_find(registry[i], name) != NULL)
            return registry[i];
    return NULL;
}

void scen_action_offsets(const scen_info *in, int a, int *discrete, int *box)
{
    *discrete = *box = 0;
    for (int k = 0; k < a; k++) {
        *discrete += in->agent[k].blocks;
        *box += in->agent[k].box;
    }
}

void scen_action_size(const scen_info *in, int *discrete, int *box)
{
    scen_action_offsets(in, in->agents, discrete, box);
}

int scen__world(const scen_setup *s, int episode, twin_world **w,
                uint64_t *useed, dtfl_err *err)
{
    twin_world_destroy(*w);
    *w = NULL;
    twin_world_params wp = s->world;
    /* a user seed for each episode, never 0 (0 means "the run's seed") */
    wp.user_seed = episode < 0 ? 0u : s->seed * 1000003u + (uint64_t)episode + 1u;
    if (wp.trace_window > 0 && episode >= 0) /* episode e: e windows on */
        wp.trace_start += episode * wp.trace_window;
    if (useed != NULL)
        *useed = wp.user_seed != 0 ? wp.user_seed : s->seed;
    return twin_world_create(w, &wp, err);
}

struct scen {
    const scen_ops *ops;
    void *self;
    scen_setup setup;
};

int scen_create(scen **out, const scen_setup *s, dtfl_err *err)
{
    *out = NULL;
    const scen_ops *ops = scen_find(s->scenario);
    if (ops == NULL)
        return dtfl_err_set(err, DTFL_ECONFIG, "no scenario named '%s'",
                            s->scenario);
    scen *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    sc->ops = ops;
    sc->setup = *s;
    int rc = ops->create(&sc->self, &sc->setup, err);
    if (rc < 0) {
        free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

void scen_destroy(scen *sc)
{
    if (sc == NULL)
        return;
    sc->ops->destroy(sc->self);
    free(sc);
}

const scen_ops *scen_ops_of(const scen *sc) { return sc->ops; }
void *scen_self(scen *sc) { return sc->self; }
const scen_info *scen_info_of(const scen *sc) { return sc->ops->info(sc->self); }
const scen_setup *scen_setup_of(const scen *sc) { return &sc->setup; }
