// links.js: the addresses of the frontend's pages, in one place (app.js routes them back).

const enc = encodeURIComponent;

/** @param {string} slug */
export const articlePath = (slug) => '/articles/' + enc(slug);
/** @param {string} slug */
export const tagPath = (slug) => '/tags/' + enc(slug);
/** @param {string} name a source is known by its name */
export const sourcePath = (name) => '/sources/' + enc(name);
/** @param {string} slug */
export const authorPath = (slug) => '/authors/' + enc(slug);
/** @param {string} slug */
export const sectionPath = (slug) => '/sections/' + enc(slug);

/**
 * The search page for a query and its narrowing filters.
 * @param {Record<string, string | undefined>} params q, sort, tag, source, author, section
 */
export function searchPath(params) {
    const qs = new URLSearchParams();
    for (const [name, value] of Object.entries(params))
        if (value)
            qs.set(name, value);
    return '/search?' + qs.toString();
}
