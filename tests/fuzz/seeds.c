/*
 * seeds.c - writes the seed corpora of the fuzz targets that take binary
 * inputs: valid twins (tests/fuzz/corpus/twin), the frames of a valid twin
 * in each compression mode, packed as fuzz_split expects
 * (corpus/frames), small IDX files (corpus/idx), the file of a small
 * PPO policy (corpus/policy), a Beta-HAPPO policy (corpus/marlpolicy), the checkpoint states of a taco and an
 * ecoedgetwin scenario (corpus/scenstate, corpus/ecostate) and a small GRU
 * predictor (corpus/predictor). The config target is
 * seeded from configs/ and tests/configs/bad/ directly (run.sh).
 *
 *     build-fuzz/fuzz_seeds tests/fuzz/corpus
 */
#include "fuzz.h"

#include "../../net/net.h"
#include "../../sched/sched.h"
#include "../../app/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seeds__write(const char *dir, const char *sub, const char *name,
                        const uint8_t *buf, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
        if (f != NULL)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

/* A twin of user 3 with `cur` then `now` samples synced. */
static twin_dt *seeds__twin(int prev_n, int cur_n)
{
    twin_dt *dt = NULL;
    uint8_t x[16 * FUZZ_DIM], y[16];
    for (int i = 0; i < 16 * FUZZ_DIM; i++)
        x[i] = (uint8_t)(i * 37);
    for (int i = 0; i < 16; i++)
        y[i] = (uint8_t)(i % FUZZ_CLASSES);
    if (twin_dt_create(&dt, 3, FUZZ_DIM, FUZZ_WEIGHTS, 64, 1, NULL) != 0 ||
        twin_dt_sync(dt, 1, prev_n, x, y, NULL) != 0 ||
        twin_dt_sync(dt, 2, cur_n, x + FUZZ_DIM, y + 1, NULL) != 0)
        exit(1);
    for (int k = 0; k < FUZZ_WEIGHTS; k++)
        dt->weights[k] = 0.25f * (float)k;
    return dt;
}

static int seeds__twins(const char *dir)
{
    int bad = 0;
    const int shapes[3][2] = {{0, 0}, {5, 3}, {16, 12}};
    for (int s = 0; s < 3; s++) {
        twin_dt *dt = seeds__twin(shapes[s][0], shapes[s][1]);
        if (s == 2) { /* a status section (format version 2) */
            const twin_status st = {2, 1, 700, 42, {1.0, 2.0, 3e4, 5e8}};
            twin_dt_set_status(dt, &st);
        }
        size_t cap = twin_dt_encode_bound(dt), len = 0;
        uint8_t *buf = malloc(cap);
        char name[32];
        snprintf(name, sizeof name, "twin-%d-%d", shapes[s][0], shapes[s][1]);
        if (buf == NULL || twin_dt_encode(dt, buf, cap, &len, NULL) != 0)
            exit(1);
        bad |= seeds__write(dir, "twin", name, buf, len);
        free(buf);
        /* its frames in each mode */
        static const char *modes[3] = {"none", "lz4", "auto"};
        for (int m = 0; m < 3; m++) {
            net_migrate_params p = {0};
            p.compression = (net_compression)m;
            p.chunk_bytes = 256;
            p.expect = fuzz_expect;
            net_move mv = {3, 1, 2};
            net_frames fr;
            dtfl_err err = {0};
            if (net_frames_make(dt, &mv, &p, NULL, &fr, &err) != 0 ||
                fr.n > FUZZ_MAX_MSGS) {
                fprintf(stderr, "fuzz_seeds: frames: %s (%d messages)\n",
                        err.msg, fr.n);
                exit(1);
            }
            size_t total = 1;
            for (int i = 0; i < fr.n; i++)
                total += 2 + fr.len[i];
            uint8_t *pk = malloc(total), *at = pk + 1;
            pk[0] = (uint8_t)(fr.n - 1);
            for (int i = 0; i < fr.n; i++) {
                at[0] = (uint8_t)fr.len[i];
                at[1] = (uint8_t)(fr.len[i] >> 8);
                memcpy(at + 2, fr.msg[i], fr.len[i]);
                at += 2 + fr.len[i];
            }
            snprintf(name, sizeof name, "frames-%s-%d", modes[m], s);
            bad |= seeds__write(dir, "frames", name, pk, total);
            free(pk);
            net_frames_free(&fr);
        }
        twin_dt_destroy(dt);
    }
    return bad;
}

static int seeds__idx(const char *dir)
{
    /* labels: magic 0x00000801, 5 items; images: 0x00000803, 2 x 3 x 3 */
    const uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 9};
    uint8_t images[4 + 12 + 18] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3};
    for (int i = 0; i < 18; i++)
        images[16 + i] = (uint8_t)(i * 14);
    return seeds__write(dir, "idx", "labels", labels, sizeof labels) |
           seeds__write(dir, "idx", "images", images, sizeof images);
}

/* The file of the policy fuzz_policy (or fuzz_marlpolicy) loads into, as
 * made (random weights). */
static int seeds__policy(const char *dir, app_env *env, const char *target,
                         const char *name)
{
    scen_policy *pol = env != NULL ? app_env_policy(env) : NULL;
    size_t len = 0;
    uint8_t *buf = NULL;
    int rc = pol == NULL || scen_policy_save(pol, NULL, &len, NULL) != 0 ||
             (buf = malloc(len)) == NULL ||
             scen_policy_save(pol, buf, &len, NULL) != 0;
    if (rc == 0)
        rc = seeds__write(dir, target, name, buf, len);
    free(buf);
    app_env_destroy(env);
    return rc;
}

/* A scenario's state after some slots (taco: inside its second frame). */
static int seeds__state(const char *dir, app_env *env, const char *target,
                        const char *name)
{
    scen *sc = env != NULL ? app_env_scen(env) : NULL;
    size_t len = 0;
    uint8_t *buf = NULL;
    int rc = sc == NULL ||
             scen_ops_of(sc)->save(scen_self(sc), NULL, &len, NULL) != 0 ||
             (buf = malloc(len)) == NULL ||
             scen_ops_of(sc)->save(scen_self(sc), buf, &len, NULL) != 0;
    if (rc == 0)
        rc = seeds__write(dir, target, name, buf, len);
    free(buf);
    app_env_destroy(env);
    return rc;
}

/* A small residual GRU predictor's file (2 layers of 3 units). */
static int seeds__predictor(const char *dir)
{
    sched_seq_params p = {4, 3, 2, 1, 5};
    sched_seq *s = NULL;
    size_t len = 0;
    uint8_t *buf = NULL;
    const double off[4] = {0, 0, 0, 0}, sc[4] = {1000, 1000, 40, 40}, st[4] = {40, 40, 4, 4};
    int rc = sched_seq_create(&s, &p, 1, 1, NULL) != 0;
    if (rc == 0)
        sched_seq_set_norm(s, off, sc, st);
    rc = rc || sched_seq_save(s, NULL, &len, NULL) != 0 || (buf = malloc(len)) == NULL ||
         sched_seq_save(s, buf, &len, NULL) != 0;
    if (rc == 0)
        rc = seeds__write(dir, "predictor", "gru-4x3x2", buf, len);
    free(buf);
    sched_seq_destroy(s);
    return rc;
}

/* A task record (2 images of 4 pixels), an outcome record, and rank 0's
 * caches of 8 servers on 2 ranks (servers 0 and 2), each behind its
 * selector bytes (fuzz_task). */
static int seeds__task(const char *dir)
{
    uint8_t rec[1 + RUN_TASK_HEAD + 2 * 5], out[1 + RUN_TASK_HEAD + 3], *cache = NULL;
    const uint32_t task[6] = {0x4b545444u, 1, 3, 7, 2, 4}, oc[6] = {0x434f5444u, 1, 3, 7, 3, 0};
    rec[0] = 0, out[0] = 2;
    for (int k = 0; k < 6; k++)
        dtfl_put_u32(rec + 1 + 4 * k, task[k]), dtfl_put_u32(out + 1 + 4 * k, oc[k]);
    for (int k = 0; k < 10; k++)
        rec[1 + RUN_TASK_HEAD + k] = (uint8_t)(k < 2 ? k + 3 : 17 * k);
    out[1 + RUN_TASK_HEAD] = 1, out[2 + RUN_TASK_HEAD] = 9, out[3 + RUN_TASK_HEAD] = 0;
    run_cache *c = NULL;
    int rc = run_cache_create(&c) != 0 || run_cache_put(c, 0, 7, out + 25, 3, NULL) != 0 ||
             run_cache_put(c, 2, 4, rec + 25, 2, NULL) != 0;
    size_t len = rc ? 0 : run_cache_encoded_size(c);
    if (rc == 0 && (cache = malloc(len + 2)) != NULL) {
        cache[0] = 1, cache[1] = 0;
        run_cache_encode(c, cache + 2);
    }
    rc = rc || cache == NULL || seeds__write(dir, "task", "task-2x4", rec, sizeof rec) ||
         seeds__write(dir, "task", "outcome-3", out, sizeof out) ||
         seeds__write(dir, "task", "caches-rank0-2", cache, len + 2);
    free(cache);
    run_cache_destroy(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
        return 64;
    }
    return seeds__twins(argv[1]) | seeds__idx(argv[1]) | seeds__policy(argv[1], fuzz_policy_env(), "policy", "ppo-2x3") |
           seeds__policy(argv[1], fuzz_happo_env(), "marlpolicy", "beta-happo-3x2") |
           seeds__state(argv[1], fuzz_taco_env(4), "scenstate", "taco-3x2-slot4") |
           seeds__state(argv[1], fuzz_eco_env(5), "ecostate", "eco-3x4-slot5") |
           seeds__predictor(argv[1]) | seeds__task(argv[1]);
}
