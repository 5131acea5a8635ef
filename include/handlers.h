/* handlers.h: one handler per route; each file handlers_<resource>.c holds a resource's. */
#ifndef KHABAR_HANDLERS_H
#define KHABAR_HANDLERS_H

struct request;
struct app;

int articles_list(struct request *req, const struct app *app);
int articles_create(struct request *req, const struct app *app);
int articles_get(struct request *req, const struct app *app);
int articles_replace(struct request *req, const struct app *app);
int articles_patch(struct request *req, const struct app *app);
int articles_delete(struct request *req, const struct app *app);

int related_list(struct request *req, const struct app *app);
int related_add(struct request *req, const struct app *app);
int related_remove(struct request *req, const struct app *app);

int tags_list(struct request *req, const struct app *app);
int tags_get(struct request *req, const struct app *app);
int sources_list(struct request *req, const struct app *app);

int ops_healthz(struct request *req, const struct app *app);
int ops_readyz(struct request *req, const struct app *app);
int ops_metrics(struct request *req, const struct app *app);
int ops_openapi(struct request *req, const struct app *app);

#endif
