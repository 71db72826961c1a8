/*
 * fuzz_scenstate.c - libFuzzer target: a scenario's checkpoint state (the
 * scenario section of a checkpoint, read by scen_ops.load) on any bytes,
 * loaded into the taco scenario (3 PTs, 2 ESs; scen/taco_state.c). A state
 * that loads must save to bytes that load again and save to the same
 * bytes, and the instance must then play a slot (every value it took is
 * one the models can use).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static app_env *env;

static uint8_t *fuzz__save(scen *sc, size_t *len)
{
    const scen_ops *ops = scen_ops_of(sc);
    uint8_t *buf = NULL;
    *len = 0;
    if (ops->save(scen_self(sc), NULL, len, NULL) != 0 || (buf = malloc(*len)) == NULL ||
        ops->save(scen_self(sc), buf, len, NULL) != 0)
        abort(); /* a loaded state always saves */
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_taco_env(0)) == NULL)
        abort();
    scen *sc = app_env_scen(env);
    const scen_ops *ops = scen_ops_of(sc);
    if (ops->load(scen_self(sc), data, size, NULL) != 0)
        return 0;
    size_t n1, n2;
    uint8_t *once = fuzz__save(sc, &n1);
    if (ops->load(scen_self(sc), once, n1, NULL) != 0)
        abort();
    uint8_t *twice = fuzz__save(sc, &n2);
    if (n1 != n2 || memcmp(once, twice, n1) != 0)
        abort();
    free(once);
    free(twice);
    return 0;
}
