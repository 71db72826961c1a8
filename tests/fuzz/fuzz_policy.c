/*
 * fuzz_policy.c - libFuzzer target: policy files (sched.policy_file, read by
 * scen_policy_load; format in docs/formats.md, "Policies") on any bytes,
 * loaded into a small PPO policy. Like fuzz_twin, each input is also tried
 * with its CRC-32 trailer made right, so the fuzzer gets past the checksum
 * to the header, the sizes and the weights. A file that loads must save to
 * bytes that load again and save to the same bytes.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static app_env *env;
static scen_policy *pol;

/* The policy's file; the caller frees it. */
static uint8_t *fuzz__save(size_t *len)
{
    *len = 0;
    uint8_t *buf = NULL;
    if (scen_policy_save(pol, NULL, len, NULL) != 0 ||
        (buf = malloc(*len)) == NULL ||
        scen_policy_save(pol, buf, len, NULL) != 0)
        abort(); /* a loaded policy always saves */
    return buf;
}

static void fuzz__load(const uint8_t *data, size_t size)
{
    if (scen_policy_load(pol, data, size, NULL) != 0)
        return;
    size_t n1, n2;
    uint8_t *once = fuzz__save(&n1);
    if (scen_policy_load(pol, once, n1, NULL) != 0)
        abort();
    uint8_t *twice = fuzz__save(&n2);
    if (n1 != n2 || memcmp(once, twice, n1) != 0)
        abort();
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (env == NULL && (env = fuzz_policy_env()) == NULL)
        abort();
    pol = app_env_policy(env);
    fuzz_with_crc(data, size, fuzz__load);
    return 0;
}
