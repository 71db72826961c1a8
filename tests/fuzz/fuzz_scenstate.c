/*
 * fuzz_scenstate.c - libFuzzer target: a scenario's checkpoint state (the
 * scenario section of a checkpoint, read by scen_ops.load) on any bytes,
 * loaded into the taco scenario (3 PTs, 2 ESs; scen/taco_state.c). A state
 * that loads must save to bytes that load again and save to the same
 * bytes, and the instance must then play the rest of its episode (every
 * value it took is one the models can use; fuzz_state_input).
 */
#include "fuzz.h"

static app_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_taco_env(0)) == NULL)
        abort();
    fuzz_state_input(env, data, size);
    return 0;
}
