// api.js: the frontend's only way to khabar: typed calls of its public endpoints.
//
// Types come from openapi.yaml (openapi-typescript writes build/web/openapi.d.ts), so a
// call with a parameter or a field the contract does not have fails the type check.
// Every request revalidates with the ETag the browser holds (cache: "no-cache"): a page
// seen before costs a 304, and a change is seen at once.

/** @typedef {import('openapi').components['schemas']} Schemas */
/** @typedef {import('openapi').operations} Operations */
/** @typedef {Schemas['Article']} Article */
/** @typedef {Schemas['ArticleSummary']} ArticleSummary */
/** @typedef {Schemas['ArticlePage']} ArticlePage */
/** @typedef {Schemas['ArticleList']} ArticleList */
/** @typedef {Schemas['Tag']} Tag */
/** @typedef {Schemas['Author']} Author */
/** @typedef {Schemas['Section']} Section */
/** @typedef {Schemas['SectionList']} SectionList */
/** @typedef {Schemas['SimilarList']} SimilarList */
/** @typedef {Schemas['Suggestions']} Suggestions */
/** @typedef {Schemas['Problem']} Problem */
/** @typedef {NonNullable<Operations['articles_list']['parameters']['query']>} ArticleQuery */
/** @typedef {NonNullable<Operations['front_get']['parameters']['query']>} PageQuery */

/** How long a request may take before the reader is told the service is slow. */
export const TIMEOUT_MS = 8000;

/** Where the API is: the page's <meta name="khabar-api"> (empty: this page's origin). */
export function apiBase() {
    const meta = document.querySelector('meta[name="khabar-api"]');
    const base = meta instanceof HTMLMetaElement ? meta.content.trim() : '';
    return base.replace(/\/+$/, '');
}

/** Why a call failed: the API's problem (status 4xx/5xx), none (0: unreachable), or too slow. */
export class ApiError extends Error {
    /**
     * @param {'problem' | 'unreachable' | 'slow'} kind
     * @param {number} status
     * @param {Problem | null} problem
     */
    constructor(kind, status, problem) {
        super(problem?.detail ?? kind);
        this.kind = kind;
        this.status = status;
        this.problem = problem;
    }

    /** True when trying again later may work: the service, not the request, failed. */
    get transient() {
        return this.kind !== 'problem' || this.status >= 500 || this.status === 429;
    }
}

/**
 * The URL of path with query (empty values left out).
 * @param {string} path
 * @param {Record<string, string | number | undefined | null>} [query]
 */
export function apiUrl(path, query = {}) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
        if (value !== undefined && value !== null && value !== '')
            params.set(name, String(value));
    const qs = params.toString();
    return apiBase() + path + (qs ? '?' + qs : '');
}

/**
 * GETs a JSON answer; throws ApiError.
 * @template T
 * @param {string} path
 * @param {Record<string, string | number | undefined | null>} [query]
 * @returns {Promise<T>}
 */
async function get(path, query) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    let response;
    try {
        response = await fetch(apiUrl(path, query), {
            cache: 'no-cache',
            headers: { Accept: 'application/json' },
            signal: abort.signal,
        });
    } catch {
        throw new ApiError(abort.signal.aborted ? 'slow' : 'unreachable', 0, null);
    } finally {
        clearTimeout(timer);
    }
    if (!response.ok) {
        /** @type {Problem | null} */
        let problem = null;
        try {
            problem = await response.json();
        } catch {
            problem = null;
        }
        throw new ApiError(response.status >= 500 ? 'unreachable' : 'problem', response.status, problem);
    }
    return /** @type {Promise<T>} */ (response.json());
}

const enc = encodeURIComponent;

/** @param {ArticleQuery} query @returns {Promise<ArticlePage>} */
export const listArticles = (query) => get('/v1/articles', query);
/** @param {string} slug @returns {Promise<Article>} */
export const getArticle = (slug) => get('/v1/articles/' + enc(slug));
/** @param {number} id @returns {Promise<SimilarList>} */
export const similarArticles = (id) => get('/v1/articles/' + id + '/similar', { limit: 5 });
/** @param {string} slug @returns {Promise<Tag>} */
export const getTag = (slug) => get('/v1/tags/' + enc(slug));
/** @param {string} slug @returns {Promise<Author>} */
export const getAuthor = (slug) => get('/v1/authors/' + enc(slug));
/** @param {string} slug @returns {Promise<Section>} */
export const getSection = (slug) => get('/v1/sections/' + enc(slug));
/** @param {string} slug @param {PageQuery} query @returns {Promise<ArticleList>} */
export const sectionFront = (slug, query) => get('/v1/sections/' + enc(slug) + '/front', query);
/** @returns {Promise<SectionList>} */
export const listSections = () => get('/v1/sections', { limit: 50 });
/** @param {string} q @returns {Promise<Suggestions>} */
export const suggest = (q) => get('/v1/suggest', { q });

/**
 * The feeds of a list, as the API serves them (RSS, Atom, JSON Feed).
 * @param {Record<string, string>} filter one of tag, source, author, section; none: the site
 */
export function feedUrls(filter = {}) {
    return [
        { type: 'application/rss+xml', format: 'RSS', href: apiUrl('/v1/feeds/rss', filter) },
        { type: 'application/atom+xml', format: 'Atom', href: apiUrl('/v1/feeds/atom', filter) },
        { type: 'application/feed+json', format: 'JSON Feed', href: apiUrl('/v1/feeds/json', filter) },
    ];
}
