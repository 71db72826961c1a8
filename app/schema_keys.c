/*
 * schema_keys.c - every configuration key of dtfl in one table: its dotted
 * path, type, bounds, default and a line of documentation. The loader, the
 * dump of the resolved config and docs/config.md all follow this table;
 * adding a key means adding a row here and a field to app_config.
 */
#include "config_int.h"

#include "../fl/fl.h"
#include "../scen/scen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const model_kinds[] = {"softmax", "2nn", "cnn", NULL};
static const char *const placements[] = {"uniform", "grid", "file", NULL};
static const char *const mobilities[] = {"static", "waypoint", "gauss-markov",
                                         "trace", NULL};
static const char *const distances[] = {"manhattan", "euclidean", NULL};
static const char *const compressions[] = {"none", "lz4", "auto", NULL};
static const char *const progresses[] = {"auto", "live", "plain", "none", NULL};
static const char *const modes[] = {"real", "analytic", NULL};
static const char *const allocations[] = {"fixed", "optimal", "random", "full", NULL};
static const char *const units[] = {"bit", "kbit", "sample", NULL};
static const char *const activations[] = {"tanh", "relu", NULL};
static const char *const ratios[] = {"joint", "per_user", NULL};
static const char *const trace_formats[] = {"csv", "tdrive", "fcd", NULL};
static const char *const sharers[] = {"discrete", "box", NULL};
static const char *const taco_delay_units[] = {"s", "ms", NULL};
static const char *const taco_energy_units[] = {"J", "kJ", NULL};
static const char *const taco_shares[] = {"cap", "inherit", NULL};
static const char *const taco_solvers[] = {"exact", "pme", NULL};
static const char *const taco_orders[] = {"gauss-seidel", "jacobi", NULL};
static const char *const taco_starts[] = {"greedy", "inherit", NULL};
static const char *const taco_delay_sources[] = {"model", "measured", NULL};
static const char *const eco_pathloss[] = {"3gpp", "literal", NULL};
static const char *const eco_fading[] = {"rayleigh", "none", NULL};
static const char *const optimizers[] = {"adam", "rmsprop", NULL};
static const char *const eco_combine[] = {"sum", "max", NULL};
static const char *const eco_shares[] = {"equal", "none", NULL};
static const char *const eco_rewards[] = {"scaled", "raw", NULL};
static const char *const eco_units[] = {"byte", "kbyte", "bit", NULL};
static const char *const happo_interferences[] = {"physical", "literal",
                                                   "intracell", NULL};
static const char *const happo_energies[] = {"capped", "literal", NULL};
static const char *const happo_rewards[] = {"per_user", "literal", NULL};
static const char *const marl_orders[] = {"per_update", "fixed", "per_epoch", NULL};
static const char *const marl_shares[] = {"type", "none", NULL};
static const char *const marl_targets[] = {"gae", "td0", NULL};
static const char *const marl_discretes[] = {"quantize", "categorical", NULL};
static const char *const tmo_exec[] = {"paper", "exclude", NULL};
static const char *const tmo_links[] = {"new", "previous", NULL};
static const char *const tmo_latencies[] = {"once", "every_slot", NULL};
static const char *const tmo_inits[] = {"both", "prev", "balanced", NULL};
static const char *const tmo_variants[] = {"paper+ls", "paper", NULL};
static const char *const tmo_losses[] = {"per_slot", "frame_sum", NULL};
static const char *const tmo_fto_migrates[] = {"frame", "slot", NULL};
static const char *const tmo_predictors[] = {"cv", "last", "oracle", "gru", NULL};
static const char *const tmo_draws[] = {"step", "sample", NULL};
static const char *const tmo_tasks[] = {"none", "infer", NULL};
static const char *const net_faults[] = {"none", "flip", "truncate", "version",
                                         NULL};

/* data.classes: auto or a class count of 1..256 (labels are bytes) */
static int schema__classes(const char *v, char *msg, size_t cap)
{
    if (strcmp(v, "auto") == 0)
        return 0;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (end != v && *end == '\0' && n >= 1 && n <= 256)
        return 0;
    snprintf(msg, cap, "data.classes: '%s' is neither auto nor a class count "
                       "in [1, 256]", v);
    return 1;
}

/* run.blas_core: auto, keep, or a core this OpenBLAS knows */
static int schema__blas_core(const char *v, char *msg, size_t cap)
{
    if (strcmp(v, "auto") == 0 || strcmp(v, "keep") == 0 || fl_blas_known(v))
        return 0;
    snprintf(msg, cap, "run.blas_core: '%s' is not auto, keep or a core "
                       "OpenBLAS 0.3.21 knows (Prescott, Nehalem, Sandybridge, "
                       "Haswell, Zen, SkylakeX, Cooperlake, ...)", v);
    return 1;
}

/* scenario must name a registered scenario */
static int schema__scenario(const char *v, char *msg, size_t cap)
{
    if (scen_find(v) != NULL)
        return 0;
    size_t used = (size_t)snprintf(msg, cap, "scenario: '%s' is not one of ", v);
    for (int i = 0; i < scen_count() && used < cap; i++)
        used += (size_t)snprintf(msg + used, cap - used, "%s%s", i ? ", " : "",
                                 scen_at(i)->name);
    return 1;
}

#define OFF(field) offsetof(app_config, field)
#define SZ(field) sizeof(((app_config *)0)->field)
/* rows of the schema table: numbers, strings, choices, ranges */
#define NUM(path, type, field, lo, hi, flags, def, doc) \
    {path, type, OFF(field), SZ(field), lo, hi, flags, def, NULL, doc, NULL}
#define STR(path, field, nonempty, def, doc) \
    {path, APP_T_STR, OFF(field), SZ(field), nonempty, 0, 0, def, NULL, doc, NULL}
#define CHOICE(path, field, names, flags, def, doc) \
    {path, APP_T_ENUM, OFF(field), SZ(field), 0, 0, flags, def, names, doc, NULL}
#define BOOL(path, field, def, doc) \
    {path, APP_T_BOOL, OFF(field), SZ(field), 0, 0, 0, def, NULL, doc, NULL}
#define CHECKED(path, field, def, check, doc) \
    {path, APP_T_STR, OFF(field), SZ(field), 1, 0, 0, def, NULL, doc, check}

/* clang-format off */
static const app_key schema[] = {
    STR("name", name, 1, "dtfl", "run name; names the results folder"),
    NUM("seed", APP_T_INT, seed, 0, 9007199254740992.0, 0, "1",
        "keys every random stream (placement, data, init, policy)"),
    STR("out", out, 0, "", "results folder; empty means results/<name>"),
    CHECKED("scenario", scenario, "diten", schema__scenario,
            "the paper whose models and policies run (dtfl run --scenarios); "
            "its section (diten.*, taco.*, tmo.*, ecoedgetwin.*, happo.*, toy.*) is the only one a config may set"),
    CHOICE("mode", mode, modes, 0, "real",
           "real (training and migration over MPI) | analytic (the "
           "scenario's models only)"),

    STR("data.dir", data.dir, 1, "/usr/share/datasets/fashion-mnist",
        "folder of the IDX files (Debian package dataset-fashion-mnist)"),
    STR("data.train_images", data.train_images, 1, "train-images-idx3-ubyte.gz",
        "training images, IDX, plain or gzipped; relative to data.dir"),
    STR("data.train_labels", data.train_labels, 1, "train-labels-idx1-ubyte.gz",
        "training labels, IDX"),
    STR("data.test_images", data.test_images, 1, "t10k-images-idx3-ubyte.gz",
        "test images, IDX"),
    STR("data.test_labels", data.test_labels, 1, "t10k-labels-idx1-ubyte.gz",
        "test labels, IDX"),
    NUM("data.train_limit", APP_T_INT, data.train_limit, 0, 1e9, 0, "0",
        "use only the first N training samples (0 = all)"),
    NUM("data.test_limit", APP_T_INT, data.test_limit, 0, 1e9, 0, "0",
        "use only the first N test samples (0 = all)"),
    CHECKED("data.classes", data.classes, "10", schema__classes,
            "class count N: a label >= N is refused (10: Fashion-MNIST); "
            "auto: largest label + 1, every class below it present"),

    CHOICE("model.kind", model.kind, model_kinds, APP_REQUIRED, NULL,
           "softmax | 2nn (FedAvg MLP) | cnn (FedAvg CNN)"),

    NUM("fl.lr", APP_T_FLOAT, fl.lr, 0, 10, APP_MIN_OPEN, "0.01",
        "SGD learning rate"),
    NUM("fl.momentum", APP_T_FLOAT, fl.momentum, 0, 1, APP_MAX_OPEN, "0",
        "SGD momentum (0 = plain SGD)"),
    NUM("fl.weight_decay", APP_T_FLOAT, fl.weight_decay, 0, 1, APP_MAX_OPEN, "0",
        "L2 weight decay"),
    NUM("fl.batch", APP_T_INT, fl.batch, 1, 1024, 0, "50", "mini-batch size"),
    NUM("fl.rounds_per_slot", APP_T_INT, fl.rounds_per_slot, 1, 10000, 0, "2",
        "FL rounds per slot: local training on every server, then FedAvg"),
    NUM("fl.local_epochs", APP_T_INT, fl.local_epochs, 1, 1000, 0, "1",
        "epochs of local training per round (E_s)"),
    NUM("fl.finetune_rounds", APP_T_INT, fl.finetune_rounds, 0, 1000, 0, "1",
        "epochs of fine-tuning each twin from the global model (E_{u,s})"),
    NUM("fl.min_servers", APP_T_INT, fl.min_servers, 1, 4096, 0, "1",
        "a round aggregates when at least this many servers reported, else "
        "the global model is kept"),
    NUM("fl.min_fraction", APP_T_FLOAT, fl.min_fraction, 0, 1, 0, "0",
        "... and at least this share of the servers that had twins"),
    NUM("fl.deadline", APP_T_FLOAT, fl.deadline, 0, 1e6, 0, "0",
        "round deadline in nominal round times; later updates are dropped "
        "(0 = wait for every server)"),

    NUM("central.epochs", APP_T_INT, central.epochs, 1, 1000, 0, "5",
        "epochs of centralised training (dtfl central)"),

    NUM("world.width", APP_T_FLOAT, world.width, 0, 1e7, APP_MIN_OPEN, "120",
        "area width, m"),
    NUM("world.height", APP_T_FLOAT, world.height, 0, 1e7, APP_MIN_OPEN, "120",
        "area height, m"),
    NUM("world.slots", APP_T_INT, world.slots, 1, 1e7, 0, "10",
        "time slots T of a run"),
    NUM("world.frame_slots", APP_T_INT, world.frame_slots, 1, 1e6, 0, "1",
        "slots K of a frame: frame-level decisions come at frame starts"),
    NUM("world.slot_seconds", APP_T_FLOAT, world.slot_seconds, 0, 1e7,
        APP_MIN_OPEN, "10", "seconds per slot (how far users move)"),
    CHOICE("world.distance", world.distance, distances, 0, "manhattan",
           "user-server distance l_{u,s} (003 uses Manhattan)"),

    NUM("servers.count", APP_T_INT, servers.count, 1, 4096, 0, "4",
        "edge servers S (spread over the MPI ranks)"),
    CHOICE("servers.placement", servers.placement, placements, 0, "uniform",
           "uniform | grid | file (servers.file, CSV x,y)"),
    STR("servers.file", servers.file, 0, "", "CSV of server positions x,y"),
    NUM("servers.grid_cols", APP_T_INT, servers.grid_cols, 0, 4096, 0, "0",
        "columns of the grid placement (0: the near-square ceil(sqrt(S))); "
        "9 places 45 servers as 9 x 5"),
    NUM("servers.p", APP_T_RANGE, servers.p, 0, 1e15, 0, "[120, 150]",
        "communication resource p_s ~ U[lo, hi] (Table II of 003)"),
    NUM("servers.q", APP_T_RANGE, servers.q, 0, 1e15, 0, "[1400, 1500]",
        "computation capacity q_s ~ U[lo, hi]"),
    NUM("servers.eps", APP_T_RANGE, servers.eps, 0, 1e15, 0, "[54, 56]",
        "CPU cycles per unit of data eps_s ~ U[lo, hi]"),

    NUM("users.count", APP_T_INT, users.count, 1, 100000, 0, "6",
        "users U, one digital twin each"),
    NUM("users.phi", APP_T_FLOAT, users.phi, 0, 2, 0, "0",
        "EMD of every user's label mix to the global mix (eq. 10 of 003)"),
    NUM("users.samples", APP_T_IRANGE, users.samples, 1, 100000, 0,
        "[200, 400]", "new samples per user per slot ~ U{lo..hi}"),
    NUM("users.test_samples", APP_T_INT, users.test_samples, 1, 100000, 0,
        "200", "size of each user's test split (the user's own label mix)"),
    NUM("users.twin_bits", APP_T_RANGE, users.twin_bits, 0, 1e12, 0,
        "[4400, 4600]", "base twin data D_twin ~ U[lo, hi], bits"),

    CHOICE("mobility.model", mobility.model, mobilities, 0, "waypoint",
           "static | waypoint | gauss-markov (eqs. 1-4 of 002) | trace"),
    NUM("mobility.speed", APP_T_RANGE, mobility.speed, 0, 1000, 0, "[0.5, 1.5]",
        "m/s: waypoint speeds; Gauss-Markov mean speed is the midpoint"),
    NUM("mobility.pause", APP_T_FLOAT, mobility.pause, 0, 1e7, 0, "0",
        "s, waypoint pause at each destination"),
    NUM("mobility.memory", APP_T_FLOAT, mobility.memory, 0, 1, 0, "0.8",
        "Gauss-Markov memory mu_1 = mu_2"),
    NUM("mobility.speed_sigma", APP_T_FLOAT, mobility.speed_sigma, 0, 1000, 0,
        "0.3", "Gauss-Markov speed noise, m/s"),
    NUM("mobility.direction_sigma", APP_T_FLOAT, mobility.direction_sigma, 0,
        10, 0, "0.5", "Gauss-Markov heading noise, rad"),
    STR("mobility.trace", mobility.trace, 0, "",
        "trace file: CSV of id,t,x,y rows, T-Drive taxi files (a file or a "
        "folder), or SUMO floating-car data"),
    CHOICE("mobility.trace_format", mobility.trace_format, trace_formats, 0,
           "csv", "csv (id,t,x,y in s and m) | tdrive (id,YYYY-MM-DD "
           "HH:MM:SS,lon,lat per taxi, projected about the origin below) | "
           "fcd (sumo --fcd-output XML; vehicles in order of appearance)"),
    NUM("mobility.tdrive_lon", APP_T_FLOAT, mobility.tdrive_lon, -180, 180, 0,
        "116.3", "longitude of the world's corner (0, 0) for tdrive traces"),
    NUM("mobility.tdrive_lat", APP_T_FLOAT, mobility.tdrive_lat, -89, 89, 0,
        "39.9", "latitude of the world's corner (0, 0) for tdrive traces"),
    NUM("mobility.trace_start_s", APP_T_FLOAT, mobility.trace_start_s, 0, 1e12, 0,
        "0", "slot 0 is this many seconds into the trace"),
    BOOL("mobility.trace_episodes", mobility.trace_episodes, "false",
         "trace mobility: the users are the traces with the most samples in "
         "the run's window (world.slots x world.slot_seconds), and training "
         "episode e is the window e windows later (004: an episode an hour "
         "of the taxis' week)"),

    STR("sched.policy", sched.policy, 0, "",
        "a policy of the scenario (dtfl run --policies lists them); empty: "
        "the scenario's default (diten: nearest, taco: taco, toy: cheapest)"),
    CHOICE("sched.allocation", sched.allocation, allocations, 0, "fixed",
           "diten's historical ratios: fixed (sched.gamma) | optimal (eq. 26, "
           "global) | random | full"),
    NUM("sched.gamma", APP_T_FLOAT, sched.gamma, 0, 1, 0, "1",
        "diten: the ratio of allocation fixed"),
    STR("sched.policy_file", sched.policy_file, 0, "",
        "a policy trained by dtfl train, loaded by dtfl run"),
    BOOL("sched.learn", sched.learn, "false",
         "learned policies keep learning during dtfl run"),

    CHOICE("diten.unit", diten.unit, units, 0, "bit",
           "how data enters the costs: bit (784 per sample, the paper's "
           "28x28 bits) | kbit | sample"),
    NUM("diten.a1", APP_T_FLOAT, diten.a[0], 0, 100, 0, "0.8862", "eq. 11"),
    NUM("diten.a2", APP_T_FLOAT, diten.a[1], 0, 1000, 0, "6.8382", "eq. 11"),
    NUM("diten.a3", APP_T_FLOAT, diten.a[2], 0, 100, APP_MIN_OPEN, "0.0006", "eq. 11"),
    NUM("diten.a4", APP_T_FLOAT, diten.a[3], 0, 100, 0, "0.9172", "eq. 12"),
    NUM("diten.a5", APP_T_FLOAT, diten.a[4], -100, 100, 0, "-0.0231", "eq. 12"),
    NUM("diten.a6", APP_T_FLOAT, diten.a[5], 0, 100, APP_MIN_OPEN, "0.8366", "eq. 12"),
    NUM("diten.n_mig", APP_T_FLOAT, diten.n_mig, 0, 1e9, 0, "1e-4",
        "wired energy per unit of data per metre (eq. 13)"),
    NUM("diten.n_syn", APP_T_FLOAT, diten.n_syn, 0, 1e9, 0, "0.1",
        "wireless energy per second of upload per metre (eq. 14)"),
    NUM("diten.n_cmp", APP_T_FLOAT, diten.n_cmp, 0, 1e9, 0, "1e-7",
        "energy per CPU cycle (eq. 15)"),
    NUM("diten.epochs_local", APP_T_FLOAT, diten.epochs_local, 0, 1e6, 0, "50",
        "E_s of eq. 15"),
    NUM("diten.epochs_finetune", APP_T_FLOAT, diten.epochs_finetune, 0, 1e6, 0,
        "10", "E_{u,s} of eq. 15"),
    NUM("diten.power_mw", APP_T_FLOAT, diten.power_mw, 0, 1e9, APP_MIN_OPEN,
        "200", "user transmit power P_u, mW"),
    NUM("diten.bandwidth_hz", APP_T_FLOAT, diten.bandwidth_hz, 0, 1e12,
        APP_MIN_OPEN, "15000", "subchannel bandwidth W, Hz"),
    NUM("diten.gain", APP_T_FLOAT, diten.gain, 0, 1e9, APP_MIN_OPEN, "1",
        "channel power gain xi"),
    NUM("diten.noise_dbm", APP_T_FLOAT, diten.noise_dbm, -400, 100, 0, "-174",
        "noise power N0, dBm"),
    NUM("diten.f0", APP_T_FLOAT, diten.f0, 0, 1e12, APP_MIN_OPEN, "200",
        "scale of Norm in eq. 22"),
    NUM("diten.beta1", APP_T_FLOAT, diten.beta1, 0, 1, 0, "0.3",
        "weight of utility, eq. 22"),
    NUM("diten.beta2", APP_T_FLOAT, diten.beta2, 0, 1, 0, "0.7",
        "weight of cost, eq. 22"),
    NUM("diten.barrier_f", APP_T_FLOAT, diten.barrier_f, 0, 1e9, APP_MIN_OPEN,
        "10", "curve coefficient f of the barrier, eq. 24"),
    NUM("diten.barrier_cap", APP_T_FLOAT, diten.barrier_cap, 0, 1e9, 0, "10",
        "penalty per broken constraint (eq. 24 is infinite)"),

#include "schema_taco.inc"
#include "schema_tmo.inc"
#include "schema_eco.inc"
#include "schema_happo.inc"

    /* the test scenario (scen/toy.h) */
    NUM("toy.cost_0", APP_T_FLOAT, toy.cost_0, -1e9, 1e9, 0, "1",
        "toy: cost per slot of a twin on server 0"),
    NUM("toy.cost_1", APP_T_FLOAT, toy.cost_1, -1e9, 1e9, 0, "2",
        "toy: cost per slot of a twin on server 1"),
    NUM("toy.move_penalty", APP_T_FLOAT, toy.move_penalty, 0, 1e9, 0, "0.5",
        "toy: penalty per twin moved"),
    NUM("toy.target", APP_T_FLOAT, toy.target, 0, 1, 0, "0.5",
        "toy: the share of last slot's data the sharer should pick"),
    NUM("toy.status_bytes", APP_T_INT, toy.status_bytes, 0, 1e9, 0, "0",
        "toy: bytes of status each twin's server sends the other per slot "
        "(real mode; 0 = none)"),
    CHOICE("toy.sharer", toy.sharer, sharers, 0, "discrete",
           "toy: the sharer's action, one of {0, 1/2, 1} (discrete) or any "
           "share in [0, 1] (box: a continuous action)"),

    /* PPO: the paper's settings (003, Table II), CleanRL's otherwise */
    NUM("ppo.lr_actor", APP_T_FLOAT, ppo.lr_actor, 0, 1, APP_MIN_OPEN, "2.5e-4",
        "actor learning rate (003)"),
    NUM("ppo.lr_critic", APP_T_FLOAT, ppo.lr_critic, 0, 1, APP_MIN_OPEN,
        "1.5e-3", "critic learning rate (003)"),
    NUM("ppo.adam_eps", APP_T_FLOAT, ppo.adam_eps, 0, 1, APP_MIN_OPEN, "1e-5",
        "Adam epsilon (CleanRL)"),
    NUM("ppo.gamma", APP_T_FLOAT, ppo.gamma, 0, 1, 0, "0.98", "discount (003)"),
    NUM("ppo.lambda", APP_T_FLOAT, ppo.lambda, 0, 1, 0, "0.9",
        "GAE lambda (003)"),
    NUM("ppo.clip", APP_T_FLOAT, ppo.clip, 0, 10, 0, "0.2",
        "ratio clip epsilon (003); 0 turns clipping off"),
    CHOICE("ppo.ratio", ppo.ratio_per_user, ratios, 0, "joint",
           "clip the joint action's ratio or each user's (MAPPO)"),
    BOOL("ppo.clip_vloss", ppo.clip_vloss, "true", "clip value updates (CleanRL)"),
    NUM("ppo.ent_coef", APP_T_FLOAT, ppo.ent_coef, 0, 10, 0, "0",
        "entropy bonus (CleanRL continuous, SB3)"),
    NUM("ppo.vf_coef", APP_T_FLOAT, ppo.vf_coef, 0, 100, 0, "0.5",
        "value loss weight (CleanRL)"),
    NUM("ppo.max_grad_norm", APP_T_FLOAT, ppo.max_grad_norm, 0, 1e6, 0, "0.5",
        "gradient-norm clip per network, 0 = none (CleanRL)"),
    BOOL("ppo.norm_adv", ppo.norm_adv, "true",
         "normalise advantages per minibatch (CleanRL)"),
    BOOL("ppo.norm_reward", ppo.norm_reward, "true",
         "scale rewards by the running std of the return (CleanRL)"),
    NUM("ppo.epochs", APP_T_INT, ppo.epochs, 1, 1000, 0, "4",
        "update epochs M (CleanRL)"),
    NUM("ppo.minibatches", APP_T_INT, ppo.minibatches, 1, 100000, 0, "1",
        "minibatches per epoch (measured, docs/diten.md)"),
    NUM("ppo.rollout", APP_T_INT, ppo.rollout, 0, 10000000, 0, "32",
        "steps per update (measured, docs/diten.md); 0 = one episode"),
    NUM("ppo.hidden", APP_T_INT, ppo.hidden, 1, 65536, 0, "128",
        "neurons per hidden layer (003)"),
    NUM("ppo.layers", APP_T_INT, ppo.layers, 1, 5, 0, "2", "hidden layers"),
    CHOICE("ppo.activation", ppo.activation, activations, 0, "tanh",
           "hidden activation (CleanRL)"),
    NUM("ppo.init_hidden_gain", APP_T_FLOAT, ppo.init_hidden_gain, 0, 100, 0,
        "1.4142135623730951", "orthogonal init gain, hidden layers (CleanRL)"),
    NUM("ppo.init_actor_gain", APP_T_FLOAT, ppo.init_actor_gain, 0, 100, 0,
        "0.01", "orthogonal init gain, policy output (CleanRL)"),
    NUM("ppo.init_critic_gain", APP_T_FLOAT, ppo.init_critic_gain, 0, 100, 0,
        "1", "orthogonal init gain, value output (CleanRL)"),
    CHOICE("ppo.optimizer", ppo.optimizer, optimizers, 0, "adam",
           "adam (CleanRL) | rmsprop"),
    NUM("ppo.rms_alpha", APP_T_FLOAT, ppo.rms_alpha, 0, 1, APP_MIN_OPEN, "0.99",
        "RMSprop's smoothing (with ppo.optimizer: rmsprop)"),

    /* A2C (baseline 1): Stable-Baselines3's A2C settings */
    NUM("a2c.lr_actor", APP_T_FLOAT, a2c.lr_actor, 0, 1, APP_MIN_OPEN, "7e-4",
        "actor learning rate (SB3)"),
    NUM("a2c.lr_critic", APP_T_FLOAT, a2c.lr_critic, 0, 1, APP_MIN_OPEN, "7e-4",
        "critic learning rate (SB3)"),
    NUM("a2c.adam_eps", APP_T_FLOAT, a2c.adam_eps, 0, 1, APP_MIN_OPEN, "1e-5",
        "Adam epsilon"),
    NUM("a2c.gamma", APP_T_FLOAT, a2c.gamma, 0, 1, 0, "0.98",
        "discount (003's, for every learner)"),
    NUM("a2c.lambda", APP_T_FLOAT, a2c.lambda, 0, 1, 0, "1",
        "GAE lambda (SB3)"),
    NUM("a2c.clip", APP_T_FLOAT, a2c.clip, 0, 10, 0, "0", "no ratio clip"),
    CHOICE("a2c.ratio", a2c.ratio_per_user, ratios, 0, "joint",
           "ratio form (matters only with a clip)"),
    BOOL("a2c.clip_vloss", a2c.clip_vloss, "false", "no value clip"),
    NUM("a2c.ent_coef", APP_T_FLOAT, a2c.ent_coef, 0, 10, 0, "0",
        "entropy bonus (SB3)"),
    NUM("a2c.vf_coef", APP_T_FLOAT, a2c.vf_coef, 0, 100, 0, "0.5",
        "value loss weight (SB3)"),
    NUM("a2c.max_grad_norm", APP_T_FLOAT, a2c.max_grad_norm, 0, 1e6, 0, "0.5",
        "gradient-norm clip (SB3)"),
    BOOL("a2c.norm_adv", a2c.norm_adv, "false", "advantage normalisation (SB3)"),
    BOOL("a2c.norm_reward", a2c.norm_reward, "false",
         "reward scaling by the return's std (SB3: off)"),
    NUM("a2c.epochs", APP_T_INT, a2c.epochs, 1, 1000, 0, "1",
        "one gradient step per rollout"),
    NUM("a2c.minibatches", APP_T_INT, a2c.minibatches, 1, 100000, 0, "1",
        "the whole rollout at once"),
    NUM("a2c.rollout", APP_T_INT, a2c.rollout, 0, 10000000, 0, "5",
        "steps per update (SB3); 0 = one episode"),
    NUM("a2c.hidden", APP_T_INT, a2c.hidden, 1, 65536, 0, "128",
        "neurons per hidden layer (as PPO)"),
    NUM("a2c.layers", APP_T_INT, a2c.layers, 1, 5, 0, "2", "hidden layers"),
    CHOICE("a2c.activation", a2c.activation, activations, 0, "tanh",
           "hidden activation"),
    NUM("a2c.init_hidden_gain", APP_T_FLOAT, a2c.init_hidden_gain, 0, 100, 0,
        "1.4142135623730951", "orthogonal init gain, hidden layers"),
    NUM("a2c.init_actor_gain", APP_T_FLOAT, a2c.init_actor_gain, 0, 100, 0,
        "0.01", "orthogonal init gain, policy output"),
    NUM("a2c.init_critic_gain", APP_T_FLOAT, a2c.init_critic_gain, 0, 100, 0,
        "1", "orthogonal init gain, value output"),
    CHOICE("a2c.optimizer", a2c.optimizer, optimizers, 0, "adam",
           "adam | rmsprop (SB3's A2C; eps is a2c.adam_eps)"),
    NUM("a2c.rms_alpha", APP_T_FLOAT, a2c.rms_alpha, 0, 1, APP_MIN_OPEN, "0.99",
        "RMSprop's smoothing (SB3)"),

    /* DDPG (baseline 4): CleanRL's ddpg_continuous_action.py, scaled */
    NUM("ddpg.lr_actor", APP_T_FLOAT, ddpg.lr_actor, 0, 1, APP_MIN_OPEN, "3e-4",
        "actor learning rate (CleanRL)"),
    NUM("ddpg.lr_critic", APP_T_FLOAT, ddpg.lr_critic, 0, 1, APP_MIN_OPEN,
        "3e-4", "critic learning rate (CleanRL)"),
    NUM("ddpg.gamma", APP_T_FLOAT, ddpg.gamma, 0, 1, 0, "0.98",
        "discount (003's)"),
    NUM("ddpg.tau", APP_T_FLOAT, ddpg.tau, 0, 1, 0, "0.005",
        "soft target update (CleanRL)"),
    NUM("ddpg.noise", APP_T_FLOAT, ddpg.noise, 0, 10, 0, "0.1",
        "exploration noise std on the scores (CleanRL)"),
    NUM("ddpg.batch", APP_T_INT, ddpg.batch, 1, 65536, 0, "64",
        "minibatch; with train_every 16, 4 gradient samples per step, as "
        "PPO's 4 epochs (CleanRL: 256 every step)"),
    NUM("ddpg.buffer", APP_T_INT, ddpg.buffer, 1, 100000000, 0, "100000",
        "replay capacity, transitions"),
    NUM("ddpg.learning_starts", APP_T_INT, ddpg.learning_starts, 0, 1e9, 0,
        "5000", "random actions before learning (CleanRL: 25000)"),
    NUM("ddpg.train_every", APP_T_INT, ddpg.train_every, 1, 1e6, 0, "16",
        "steps between gradient steps (CleanRL: 1)"),
    NUM("ddpg.policy_delay", APP_T_INT, ddpg.policy_delay, 1, 1000, 0, "2",
        "critic steps per actor step (CleanRL)"),
    NUM("ddpg.hidden", APP_T_INT, ddpg.hidden, 1, 65536, 0, "128",
        "neurons per hidden layer (as PPO)"),
    NUM("ddpg.layers", APP_T_INT, ddpg.layers, 1, 5, 0, "2", "hidden layers"),

    NUM("marl.hidden", APP_T_INT, marl.hidden, 1, 65536, 0, "128",
        "multi-agent learners (happo, mappo): first hidden layer (Table I of 002)"),
    NUM("marl.hidden2", APP_T_INT, marl.hidden2, 0, 65536, 0, "64",
        "second hidden layer (0: one layer; Table I of 002)"),
    CHOICE("marl.activation", marl.activation, activations, 0, "relu",
           "hidden activation (HARL's; 002 gives none)"),
    NUM("marl.lr_actor", APP_T_FLOAT, marl.lr_actor, 0, 1, APP_MIN_OPEN, "1e-4",
        "actors' Adam step size l_a (Table I)"),
    NUM("marl.lr_critic", APP_T_FLOAT, marl.lr_critic, 0, 1, APP_MIN_OPEN, "1e-4",
        "critics' Adam step size l_c (Table I)"),
    NUM("marl.adam_eps", APP_T_FLOAT, marl.adam_eps, 0, 1, APP_MIN_OPEN, "1e-5",
        "Adam epsilon (HARL)"),
    NUM("marl.gamma", APP_T_FLOAT, marl.gamma, 0, 1, 0, "0.9", "discount (Table I)"),
    NUM("marl.lambda", APP_T_FLOAT, marl.lambda, 0, 1, 0, "0.95",
        "GAE factor (eq. 31; HARL's, 002 gives none)"),
    NUM("marl.clip", APP_T_FLOAT, marl.clip, 0, 10, 0, "0.2",
        "ratio clip of eq. 30 (HARL's)"),
    NUM("marl.ent_coef", APP_T_FLOAT, marl.ent_coef, 0, 10, 0, "0.01",
        "entropy bonus psi (HARL's)"),
    NUM("marl.max_grad_norm", APP_T_FLOAT, marl.max_grad_norm, 0, 1e6, 0, "10",
        "gradient-norm clip per network (HARL's; 0: none)"),
    NUM("marl.epochs", APP_T_INT, marl.epochs, 1, 1000, 0, "25",
        "epochs Rp per update (Table I)"),
    NUM("marl.minibatches", APP_T_INT, marl.minibatches, 1, 100000, 0, "1",
        "minibatches per epoch (Table I: one batch of an episode)"),
    NUM("marl.envs", APP_T_INT, marl.envs, 1, 4096, 0, "1",
        "environments each update takes an episode from (HAPPO, MAPPO); under "
        "mpirun environment e plays on rank e % P, and the weights are the same "
        "for any P (dtfl train)"),
    NUM("marl.rollout", APP_T_INT, marl.rollout, 0, 10000000, 0, "0",
        "slots per update (0: an episode, world.slots)"),
    BOOL("marl.norm_adv", marl.norm_adv, "true",
         "normalise each reward stream's advantages over the batch"),
    BOOL("marl.mask_inactive", marl.mask_inactive, "true",
         "leave action values that did not act out of log-probabilities and "
         "entropies (spec A12; false: HARL)"),
    CHOICE("marl.order", marl.order, marl_orders, 0, "per_update",
           "HAPPO's agent order: a random permutation per update (HARL) | fixed | "
           "per_epoch (Algorithm 1 of 002: a permutation and the factor from 1 "
           "every epoch, each agent one epoch in turn)"),
    CHOICE("marl.critic_target", marl.critic_target, marl_targets, 0, "gae",
           "critics' target: the GAE return (HARL) | td0 (r + gamma V(s'), eq. 32 "
           "of 002 as printed)"),
    CHOICE("marl.discrete", marl.discrete, marl_discretes, 0, "quantize",
           "discrete choices (the CC's servers): a Beta or Gaussian value "
           "quantised (the spec's reading of 002) | categorical (a softmax per "
           "choice; HAPPO and MAPPO)"),
    CHOICE("marl.share", marl.share, marl_shares, 0, "type",
           "MAPPO: one actor per agent type (MAPPO's parameter sharing) | none"),
    NUM("maddpg.buffer", APP_T_INT, maddpg.buffer, 2, 10000000, 0, "100000",
        "MADDPG: replay slots (HARL: 1e6; each holds every agent's observation)"),
    NUM("maddpg.batch", APP_T_INT, maddpg.batch, 1, 1000000, 0, "1000",
        "MADDPG: minibatch (HARL)"),
    NUM("maddpg.warmup", APP_T_INT, maddpg.warmup, 0, 1e9, 0, "10000",
        "MADDPG: slots of uniform actions before learning (HARL)"),
    NUM("maddpg.train_every", APP_T_INT, maddpg.train_every, 1, 1e9, 0, "50",
        "MADDPG: one update every this many slots (HARL)"),
    NUM("maddpg.tau", APP_T_FLOAT, maddpg.tau, 0, 1, 0, "0.005",
        "MADDPG: soft target update (HARL's polyak)"),
    NUM("maddpg.noise", APP_T_FLOAT, maddpg.noise, 0, 100, 0, "0.7071",
        "MADDPG: exploration noise's std on the [-1, 1] scale (Table I's "
        "variance 0.5)"),

    NUM("train.episodes", APP_T_INT, train.episodes, 1, 1e7, 0, "300",
        "episodes of world.slots slots in dtfl train"),
    NUM("train.eval_episodes", APP_T_INT, train.eval_episodes, 0, 1e6, 0, "10",
        "greedy episodes after training, whose means the figures use"),

    /* dtfl utility-fit: Fig. 3 of 003 from real training, and its use */
    NUM("utility.n", APP_T_IRANGE, utility.n, 1, 1000000, 0, "[200, 2000]",
        "per-user sample counts of the grid, first and last"),
    NUM("utility.n_step", APP_T_INT, utility.n_step, 1, 1000000, 0, "200",
        "step between grid sample counts"),
    NUM("utility.phi", APP_T_RANGE, utility.phi, 0, 2, 0, "[0, 0.6]",
        "EMDs of the grid, first and last"),
    NUM("utility.phi_step", APP_T_FLOAT, utility.phi_step, 0, 2, APP_MIN_OPEN,
        "0.2", "step between grid EMDs"),
    NUM("utility.seeds", APP_T_INT, utility.seeds, 1, 10000, 0, "3",
        "seeds per grid point: seed, seed+1, ..."),
    NUM("utility.users", APP_T_INT, utility.users, 1, 10000, 0, "4",
        "users per point, each holding n samples at EMD phi"),
    NUM("utility.rounds", APP_T_INT, utility.rounds, 1, 100000, 0, "3",
        "FL rounds per point (fl.local_epochs each), then fl.finetune_rounds"),
    NUM("utility.test_samples", APP_T_INT, utility.test_samples, 0, 1e9, 0,
        "2000", "test images the global model is scored on (0 = all)"),
    STR("utility.fit", utility.fit, 0, "",
        "fit JSON of dtfl utility-fit: its a1..a6 replace diten.a1..a6"),

    CHOICE("net.compression", net.compression, compressions, 0, "auto",
           "migration frames: none | lz4 | auto (per section, when it pays)"),
    NUM("net.link_gbps", APP_T_FLOAT, net.link_gbps, 0, 1e5, 0, "0",
        "emulated backhaul per server pair, Gbit/s (0 = no pacing)"),
    NUM("net.chunk_kib", APP_T_INT, net.chunk_kib, 1, 65536, 0, "256",
        "migration chunk size, KiB"),
    NUM("net.resend", APP_T_INT, net.resend, 0, 100, 0, "2",
        "resends of a twin the receiver rejected; then the run stops"),

    NUM("run.blas_threads", APP_T_INT, run.blas_threads, 1, 256, 0, "1",
        "OpenBLAS threads per process (1 when ranks share cores)"),
    CHECKED("run.blas_core", run.blas_core, "auto", schema__blas_core,
            "OpenBLAS kernels: auto (the newest core type the CPU runs, when "
            "OpenBLAS picked an older one) | keep (OpenBLAS's pick) | a core "
            "name; the user's OPENBLAS_CORETYPE always wins"),
    NUM("run.checkpoint_every", APP_T_INT, run.checkpoint_every, 0, 1e7, 0,
        "0", "slots between checkpoints (0 = none)"),
    CHOICE("run.progress", run.progress, progresses, 0, "auto",
           "auto (live on a terminal, plain under mpirun) | live | plain | "
           "none"),
    NUM("run.twins_every", APP_T_INT, run.twins_every, 0, 1e7, 0, "1",
        "twins.csv rows every this many slots (0 = none; long runs)"),

    NUM("faults.kill_after_slot", APP_T_INT, faults.kill_after_slot, -1, 1e7, 0,
        "-1", "test fault: a rank kills itself (SIGKILL) after this slot"),
    NUM("faults.kill_rank", APP_T_INT, faults.kill_rank, 0, 1e6, 0, "0",
        "the rank that kills itself"),
    NUM("faults.kill_mid_slot", APP_T_INT, faults.kill_mid_slot, -1, 1e7, 0,
        "-1", "test fault: the rank kills itself during this slot's training"),
    NUM("faults.server_dropout", APP_T_FLOAT, faults.server_dropout, 0, 1, 0,
        "0", "probability an edge server drops out of a round (seeded)"),
    NUM("faults.straggler", APP_T_FLOAT, faults.straggler, 0, 1, 0, "0",
        "probability an edge server is a straggler in a round (seeded)"),
    NUM("faults.straggler_slowdown", APP_T_FLOAT, faults.straggler_slowdown, 1,
        1e6, 0, "4", "a straggler's round time, in nominal round times"),
    NUM("faults.user_miss", APP_T_FLOAT, faults.user_miss, 0, 1, 0, "0",
        "probability a user misses a slot's upload (seeded; never slot 0)"),
    CHOICE("faults.migration", faults.migration, net_faults, 0, "none",
           "test fault: none | flip | truncate | version, done to one twin's "
           "migration frames"),
    NUM("faults.migration_user", APP_T_INT, faults.migration_user, 0, 1e6, 0,
        "0", "the user whose twin's frames are damaged"),
    NUM("faults.migration_attempts", APP_T_INT, faults.migration_attempts, 0,
        1e6, 0, "1", "how many sends of that twin are damaged (every slot)"),
};
/* clang-format on */

const app_key *app__schema(int *n)
{
    *n = (int)(sizeof schema / sizeof schema[0]);
    return schema;
}
