// page_article.js: one article: headline, byline, dates, lead image, body, tags, sources,
// corrections, "read also" and similar articles.

import { getArticle, similarArticles } from './api.js';
import { h, bidi, setSafeHtml } from './dom.js';
import { clockTime } from './dates.js';
import { articlePath } from './links.js';
import { byline, dateLine, picture, sectionLink, sourceLinks, tagLinks } from './render.js';

/** @typedef {import('./api.js').Article} Article */
/** @typedef {import('./app.js').View} View */

/** @param {Article} a */
function leadImage(a) {
    const image = a.image;
    if (!image)
        return null;
    const caption = [image.caption, image.credit ? 'تصوير: ' + image.credit : null].filter(Boolean).join(' — ');
    return h('figure', { class: 'lead' },
        picture(image, '(max-width: 48rem) 100vw, 48rem', true),
        caption ? h('figcaption', {}, bidi(caption)) : null);
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

/** @param {Article} a */
function updated(a) {
    if (a.updated_at.slice(0, 16) === a.published_at.slice(0, 16))
        return null;
    return h('p', { class: 'updated' }, 'آخر تحديث: ', h('time', { datetime: a.updated_at }, clockTime(a.updated_at)));
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
    const article = h('article', { lang: a.lang, dir: a.dir, class: 'article' },
        h('header', {},
            sectionLink(a.section),
            h('h1', {}, a.title),
            a.summary ? h('p', { class: 'standfirst' }, a.summary) : null,
            byline(a.authors),
            dateLine(a.published_at),
            updated(a)),
        leadImage(a),
        setSafeHtml(h('div', { class: 'body' }), a.body_html),
        h('footer', {}, tagLinks(a.tags), sourceLinks(a.sources), corrections(a)));
    return {
        title: a.title,
        content: [article, articleLinks('related-title', 'اقرأ أيضاً', a.related), similar],
        canonical: articlePath(a.slug),
        feeds: a.section ? { section: a.section.slug } : {},
    };
}
