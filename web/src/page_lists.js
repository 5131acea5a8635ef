// page_lists.js: the pages that list articles: the home page, a tag, a source, an author
// and a section (its front), each growing by its cursor.

import { getAuthor, getSection, getTag, listArticles, sectionFront, ApiError } from './api.js';
import { h, bidi } from './dom.js';
import { picture, pagedList } from './render.js';

/** @typedef {import('./app.js').View} View */
/** @typedef {import('./app.js').Paging} Paging */
/** @typedef {import('./api.js').ArticleQuery} ArticleQuery */

const PAGE = 20;

/**
 * The articles matching filter, by cursor.
 * @param {ArticleQuery} filter
 */
const articlesOf = (filter) => (/** @type {string | null} */ cursor) =>
    listArticles({ ...filter, limit: PAGE, cursor: cursor ?? undefined });

/**
 * A page's header: a label of the site's (may be empty) and a name isolated from it.
 * @param {string} label
 * @param {string} name
 * @param {...(string | Node | null)} more
 */
const heading = (label, name, ...more) => h('header', { class: 'page-head' }, h('h1', {}, label, bidi(name)), ...more);

/** @param {Paging} paging @returns {Promise<View>} */
export async function homePage(paging) {
    const list = await pagedList(articlesOf({}), paging.cursors, paging.more, 'لا مقالات بعد.');
    return { title: '', content: [h('h1', { class: 'page-title' }, 'آخر الأخبار'), list], feeds: {} };
}

/** @param {string} slug @param {Paging} paging @returns {Promise<View>} */
export async function tagPage(slug, paging) {
    const [tag, list] = await Promise.all([
        getTag(slug), pagedList(articlesOf({ tag: slug }), paging.cursors, paging.more, 'لا مقالات بهذا الوسم.')]);
    const count = h('p', { class: 'count' }, tag.article_count.toLocaleString('ar') + ' مقالة');
    return { title: tag.name, content: [heading('وسم: ', tag.name, count), list], feeds: { tag: tag.slug } };
}

/** @param {string} name @param {Paging} paging @returns {Promise<View>} */
export async function sourcePage(name, paging) {
    const fetchPage = articlesOf({ source: name });
    const first = await fetchPage(paging.cursors[0] ?? null);
    // an unknown source is an empty list: there is no such page
    if (first.data.length === 0 && paging.cursors[0] === null)
        throw new ApiError('problem', 404, null);
    const list = await pagedList(fetchPage, paging.cursors, paging.more, '', first);
    return { title: name, content: [heading('المصدر: ', name), list], feeds: { source: name } };
}

/** @param {string} slug @param {Paging} paging @returns {Promise<View>} */
export async function authorPage(slug, paging) {
    const [author, list] = await Promise.all([
        getAuthor(slug), pagedList(articlesOf({ author: slug }), paging.cursors, paging.more, 'لا مقالات لهذا الكاتب بعد.')]);
    const head = heading('', author.name,
        author.avatar ? picture(author.avatar, '6rem', true) : null,
        author.bio ? h('p', { class: 'bio' }, author.bio) : null);
    return { title: author.name, content: [head, list], feeds: { author: author.slug } };
}

/** @param {string} slug @param {Paging} paging @returns {Promise<View>} */
export async function sectionPage(slug, paging) {
    const front = (/** @type {string | null} */ cursor) => sectionFront(slug, { limit: PAGE, cursor: cursor ?? undefined });
    const [section, list] = await Promise.all([
        getSection(slug), pagedList(front, paging.cursors, paging.more, 'لا مقالات في هذا القسم بعد.')]);
    const name = section.name ?? slug;
    const head = heading('', name, section.description ? h('p', { class: 'description' }, section.description) : null);
    return { title: name, content: [head, list], feeds: { section: section.slug ?? slug } };
}
