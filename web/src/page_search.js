// page_search.js: search results with their snippets, facets that narrow them, the two
// orders, and "did you mean" when nothing matched.

import { ApiError, listArticles } from './api.js';
import { h, bidi } from './dom.js';
import { searchPath } from './links.js';
import { pagedList } from './render.js';

/** @typedef {import('./app.js').View} View */
/** @typedef {import('./app.js').Paging} Paging */
/** @typedef {import('./api.js').ArticlePage} ArticlePage */

/** The facets, in the order they are shown, with their titles. */
const FACETS = /** @type {const} */ ([
    ['section', 'الأقسام'], ['tag', 'الوسوم'], ['author', 'الكتّاب'], ['source', 'المصادر'],
]);
const FILTER_TITLES = { section: 'القسم', tag: 'الوسم', author: 'الكاتب', source: 'المصدر' };

/** @typedef {{q: string, sort?: import('./api.js').ArticleQuery['sort'], section?: string, tag?: string, author?: string, source?: string}} Search */

/** @param {URLSearchParams} params @returns {Search} */
function searchOf(params) {
    /** @type {Search} */
    const s = { q: params.get('q')?.trim() ?? '' };
    const sort = params.get('sort');
    if (sort === 'newest' || sort === 'relevance')
        s.sort = sort;
    for (const [name] of FACETS) {
        const value = params.get(name);
        if (value)
            s[name] = value;
    }
    return s;
}

/** @param {Search} s */
function sortSwitch(s) {
    const current = s.sort ?? 'relevance';
    /** @param {string} sort @param {string} label */
    const option = (sort, label) => h('li', {},
        h('a', { href: searchPath({ ...s, sort }), 'aria-current': sort === current ? 'true' : undefined }, label));
    return h('nav', { class: 'sort', 'aria-label': 'الترتيب' },
        h('ul', {}, option('relevance', 'الأقرب صلة'), option('newest', 'الأحدث')));
}

/** The filters in force, each with a link that removes it. @param {Search} s */
function activeFilters(s) {
    const active = FACETS.filter(([name]) => s[name]);
    if (active.length === 0)
        return null;
    return h('ul', { class: 'filters', 'aria-label': 'التصفية' }, active.map(([name]) => h('li', {},
        FILTER_TITLES[name] + ': ', bidi(s[name] ?? ''), ' ',
        h('a', { href: searchPath({ ...s, [name]: undefined }), 'aria-label': 'إزالة ' + FILTER_TITLES[name] }, '×'))));
}

/** @param {Search} s @param {ArticlePage} page */
function facetLists(s, page) {
    const facets = page.facets ?? {};
    const groups = FACETS.map(([name, title]) => {
        const values = (facets[name] ?? []).map((v) => ({ key: 'slug' in v ? v.slug : v.name, name: v.name, count: v.count }));
        if (values.length === 0 || s[name])
            return null;
        return h('section', { class: 'facet', 'aria-labelledby': 'facet-' + name },
            h('h2', { id: 'facet-' + name }, title),
            h('ul', {}, values.map((v) => h('li', {},
                h('a', { href: searchPath({ ...s, [name]: v.key }) }, bidi(v.name)),
                ' ', h('span', { class: 'count' }, v.count.toLocaleString('ar'))))));
    });
    if (groups.every((g) => g === null))
        return null;
    return h('aside', { class: 'facets', 'aria-label': 'تضييق النتائج' }, groups);
}

/** @param {URLSearchParams} params @param {Paging} paging @returns {Promise<View>} */
export async function searchPage(params, paging) {
    const s = searchOf(params);
    if (s.q === '')
        return { title: 'البحث', content: [h('h1', {}, 'البحث'), h('p', {}, 'اكتب ما تبحث عنه في مربع البحث أعلى الصفحة.')] };
    const query = { ...s, limit: 20 };
    /** @type {ArticlePage} */
    let first;
    try {
        // the first page also brings the facets and "did you mean"
        first = await listArticles({ ...query, cursor: paging.cursors[0] ?? undefined, facets: 'tag,source,author,section' });
    } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 400)
            throw e;
        return { title: 'البحث', content: [h('section', { class: 'message' }, h('h1', {}, 'تعذّر البحث عن هذه العبارة'),
            h('p', {}, 'جرّب كلمات أخرى: حروفاً أو أرقاماً، وأقل من 256 حرفاً.'))] };
    }
    const fetchPage = (/** @type {string | null} */ cursor) => listArticles({ ...query, cursor: cursor ?? undefined });
    const list = await pagedList(fetchPage, paging.cursors, paging.more, 'لا نتائج.', first);
    const suggestion = first.did_you_mean
        ? h('p', { class: 'did-you-mean' }, 'هل تقصد: ', h('a', { href: searchPath({ ...s, q: first.did_you_mean }) }, bidi(first.did_you_mean)), '؟')
        : null;
    const head = h('header', { class: 'page-head' },
        h('h1', {}, 'نتائج البحث عن ', h('q', {}, bidi(s.q))), sortSwitch(s), activeFilters(s), suggestion);
    return { title: 'بحث: ' + s.q, content: [head, h('div', { class: 'results' }, list, facetLists(s, first))] };
}
