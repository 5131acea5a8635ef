// page_article.js: one article: headline, byline, dates, lead image, body, tags, sources,
// corrections, "read also" and similar articles.

import { getArticle, similarArticles } from './api.js';
import { h, bidi, setSafeHtml } from './dom.js';
import { clockTime, gregorianDate } from './dates.js';
import { articlePath } from './links.js';
import { byline, dateLine, picture, sectionLink, sourceLinks, tagLinks } from './render.js';

/** @typedef {import('./api.js').Article} Article */
/** @typedef {import('./app.js').View} View */

/** @param {Article} a */
function leadImage(a) {
    const image = a.image;
    if (!image)
        return null;
    const caption = [image.caption ? bidi(image.caption) : null,
        image.caption && image.credit ? ' — ' : null,
        image.credit ? ['تصوير: ', bidi(image.credit)] : null];
    return h('figure', { class: 'lead' },
        picture(image, '(max-width: 48rem) 100vw, 48rem', true),
        image.caption || image.credit ? h('figcaption', {}, ...caption) : null);
}

/** @param {Article} a */
function corrections(a) {
    if (a.corrections.length === 0)
        return null;
    return h('section', { class: 'corrections', 'aria-labelledby': 'corrections-title' },
        h('h2', { id: 'corrections-title' }, 'تصحيحات'),
        h('ul', {}, a.corrections.map((c) => h('li', {}, dateLine(c.at), h('p', {}, c.text)))));
}

/**
 * A titled list of links to articles.
 * @param {string} id
 * @param {string} title
 * @param {{slug: string, title: string, published_at: string}[]} items
 */
function articleLinks(id, title, items) {
    if (items.length === 0)
        return null;
    return h('section', { class: 'more-articles', 'aria-labelledby': id },
        h('h2', { id }, title),
        h('ul', {}, items.map((r) => h('li', {}, h('a', { href: articlePath(r.slug) }, bidi(r.title)), dateLine(r.published_at)))));
}

/** When it was last changed, if that was a minute or more after it went out. @param {Article} a */
function updated(a) {
    const at = new Date(a.updated_at), out = new Date(a.published_at);
    if (at.getTime() - out.getTime() < 60000)
        return null;
    const when = at.toDateString() === out.toDateString() ? clockTime(a.updated_at)
        : gregorianDate(a.updated_at) + '، ' + clockTime(a.updated_at);
    return h('p', { class: 'updated' }, 'آخر تحديث: ', h('time', { datetime: a.updated_at }, when));
}

/**
 * @param {string} slug
 * @returns {Promise<View>}
 */
export async function articlePage(slug) {
    const a = await getArticle(slug);
    // "read also" comes with the article; similar articles may come later or not at all
    const similar = h('div', { class: 'similar' });
    similarArticles(a.id)
        .then((s) => similar.replaceWith(articleLinks('similar-title', 'مقالات مشابهة', s.data) ?? ''))
        .catch(() => similar.remove());
    // the article's language and direction on its own words, not on the site's labels
    const own = { lang: a.lang, dir: a.dir };
    const article = h('article', { class: 'article' },
        h('header', {},
            sectionLink(a.section),
            h('h1', own, a.title),
            a.summary ? h('p', { class: 'standfirst', ...own }, a.summary) : null,
            byline(a.authors),
            dateLine(a.published_at),
            updated(a)),
        leadImage(a),
        setSafeHtml(h('div', { class: 'body', ...own }), a.body_html),
        h('footer', {}, tagLinks(a.tags), sourceLinks(a.sources), corrections(a)));
    return {
        title: a.title,
        content: [article, articleLinks('related-title', 'اقرأ أيضاً', a.related), similar],
        canonical: articlePath(a.slug),
        feeds: a.section ? { section: a.section.slug } : {},
    };
}
