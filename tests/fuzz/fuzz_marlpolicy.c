/*
 * fuzz_marlpolicy.c - libFuzzer target: multi-agent policy files (version
 * 2, sched/rl_marl_io.c; docs/formats.md, "Multi-agent policies") on any
 * bytes, loaded into a small Beta-HAPPO policy of the happo scenario (3
 * MUs, 2 BSs: 6 agents, 2 critics). Each input is also tried with its
 * CRC-32 trailer made right; a file that loads must round-trip
 * (fuzz_policy_input).
 */
#include "fuzz.h"

static app_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_happo_env()) == NULL)
        abort();
    fuzz_policy_input(app_env_policy(env), data, size);
    return 0;
}
