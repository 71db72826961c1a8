/*
 * fuzz_ecostate.c - libFuzzer target: the ecoedgetwin scenario's checkpoint
 * state (scen/eco_state.c: loads, hosts, last latencies, caches) on any
 * bytes, loaded into a small instance (3 users, 4 servers, 3 contents). A
 * state that loads must round-trip and the instance must then play the
 * rest of its episode (fuzz_state_input).
 */
#include "fuzz.h"

static app_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_eco_env(0)) == NULL)
        abort();
    fuzz_state_input(env, data, size);
    return 0;
}
