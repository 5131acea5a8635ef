/* handlers.h: one handler per route; server/handlers/<resource>.c holds a resource's, each
 * introduced by the method and URL it serves. */
#ifndef KHABAR_HANDLERS_H
#define KHABAR_HANDLERS_H

#include <stddef.h>

struct request;
struct app;

int index_get(struct request *req);

int articles_list(struct request *req);
void articles_list_many(struct request *const *reqs, size_t n, int *rcs);
int articles_create(struct request *req);
int articles_get(struct request *req);
void articles_get_many(struct request *const *reqs, size_t n, int *rcs);
int articles_replace(struct request *req);
int articles_patch(struct request *req);
int articles_delete(struct request *req);

int related_list(struct request *req);
int similar_list(struct request *req);
int suggest_get(struct request *req);
int related_add(struct request *req);
int related_remove(struct request *req);

int revisions_list(struct request *req);
int revisions_get(struct request *req);
int revisions_restore(struct request *req);

int feeds_get(struct request *req);
int webhooks_list(struct request *req);
int webhooks_create(struct request *req);
int webhooks_get(struct request *req);
int webhooks_patch(struct request *req);
int webhooks_delete(struct request *req);
int robots_get(struct request *req);

int web_home(struct request *req);
int web_article(struct request *req);
int web_tag(struct request *req);
int web_source(struct request *req);
int web_author(struct request *req);
int web_section(struct request *req);
int web_search(struct request *req);
int web_asset(struct request *req);
int web_asset_in(struct request *req);
int sitemaps_get(struct request *req);
int sitemap_news_get(struct request *req);

int tags_list(struct request *req);
void tags_list_many(struct request *const *reqs, size_t n, int *rcs);
int tags_get(struct request *req);
int sources_list(struct request *req);
void sources_list_many(struct request *const *reqs, size_t n, int *rcs);

int authors_list(struct request *req);
void authors_list_many(struct request *const *reqs, size_t n, int *rcs);
int authors_get(struct request *req);
int authors_create(struct request *req);
int authors_replace(struct request *req);
int authors_patch(struct request *req);
int authors_delete(struct request *req);

int sections_list(struct request *req);
void sections_list_many(struct request *const *reqs, size_t n, int *rcs);
int sections_get(struct request *req);
int sections_create(struct request *req);
int sections_replace(struct request *req);
int sections_patch(struct request *req);
int sections_delete(struct request *req);
int front_get(struct request *req);
void front_get_many(struct request *const *reqs, size_t n, int *rcs);
int front_put(struct request *req);

int ops_healthz(struct request *req);
int ops_readyz(struct request *req);
int ops_metrics(struct request *req);
int ops_openapi(struct request *req);

#endif
