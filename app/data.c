/*
 * data.c - the datasets a config names (data.dir and the four IDX files),
 * loaded and checked against each other and data.classes: same image
 * shape, every label of either set below the class count (the training
 * set's, auto or given; the test set is held to it).
 */
#include "app.h"

#include "../fl/fl.h"

int app_data_load(const app_config *cfg, fl_dataset **train, fl_dataset **test,
                  dtfl_err *err)
{
    *train = NULL;
    *test = NULL;
    char ti[APP_PATH_MAX * 2], tl[APP_PATH_MAX * 2];
    char vi[APP_PATH_MAX * 2], vl[APP_PATH_MAX * 2];
    int rc;
    if ((rc = app_config_data_path(cfg, cfg->data.train_images, ti, sizeof ti, err)) < 0 ||
        (rc = app_config_data_path(cfg, cfg->data.train_labels, tl, sizeof tl, err)) < 0 ||
        (rc = app_config_data_path(cfg, cfg->data.test_images, vi, sizeof vi, err)) < 0 ||
        (rc = app_config_data_path(cfg, cfg->data.test_labels, vl, sizeof vl, err)) < 0)
        return rc;
    rc = fl_dataset_load(train, ti, tl, (int)cfg->data.train_limit,
                         app_config_classes(cfg), err);
    if (rc < 0)
        return rc;
    rc = fl_dataset_load(test, vi, vl, (int)cfg->data.test_limit,
                         (*train)->classes, err);
    if (rc < 0)
        goto fail;
    if ((*test)->rows != (*train)->rows || (*test)->cols != (*train)->cols) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s has %dx%d images but %s has %dx%d", vi,
                          (*test)->rows, (*test)->cols, ti, (*train)->rows,
                          (*train)->cols);
        goto fail;
    }
    return 0;
fail:
    fl_dataset_destroy(*train);
    fl_dataset_destroy(*test);
    *train = NULL;
    *test = NULL;
    return rc;
}
