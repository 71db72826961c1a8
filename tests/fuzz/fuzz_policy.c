/*
 * fuzz_policy.c - libFuzzer target: policy files (sched.policy_file, read by
 * scen_policy_load; format in docs/formats.md, "Policies") on any bytes,
 * loaded into a small PPO policy. Like fuzz_twin, each input is also tried
 * with its CRC-32 trailer made right, so the fuzzer gets past the checksum
 * to the header, the sizes and the weights. A file that loads must save to
 * bytes that load again and save to the same bytes (fuzz_policy_input).
 */
#include "fuzz.h"

static app_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_policy_env()) == NULL)
        abort();
    fuzz_policy_input(app_env_policy(env), data, size);
    return 0;
}
