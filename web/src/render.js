// render.js: the pieces pages share: article cards, bylines, tags, dates, and the list
// that grows by its cursor.

import { h, bidi, snippetNodes } from './dom.js';
import { gregorianDate, hijriDate } from './dates.js';
import { articlePath, authorPath, sectionPath, sourcePath, tagPath } from './links.js';

/** @typedef {import('./api.js').ArticleSummary} ArticleSummary */
/** @typedef {import('./api.js').Article} Article */
/** @typedef {import('openapi').components['schemas']['CatalogRef']} CatalogRef */
/** @typedef {import('openapi').components['schemas']['TagRef']} TagRef */
/** @typedef {import('openapi').components['schemas']['Image']} Image */

/** A date in both calendars, the Gregorian first. @param {string} iso */
export function dateLine(iso) {
    return h('p', { class: 'date' },
        h('time', { datetime: iso }, gregorianDate(iso)),
        ' ', h('span', { class: 'hijri' }, '(' + hijriDate(iso) + ')'));
}

/** The byline: each author linking to their page. @param {CatalogRef[] | undefined} authors */
export function byline(authors) {
    if (!authors || authors.length === 0)
        return null;
    const names = authors.flatMap((a, i) => [i > 0 ? '، ' : '', h('a', { href: authorPath(a.slug) }, bidi(a.name))]);
    return h('p', { class: 'byline' }, 'بقلم ', ...names);
}

/** @param {TagRef[]} tags */
export function tagLinks(tags) {
    if (tags.length === 0)
        return null;
    return h('ul', { class: 'tags', 'aria-label': 'الوسوم' },
        tags.map((t) => h('li', {}, h('a', { href: tagPath(t.slug), rel: 'tag' }, bidi(t.name)))));
}

/** @param {string[]} sources */
export function sourceLinks(sources) {
    if (sources.length === 0)
        return null;
    return h('p', { class: 'sources' }, 'المصادر: ',
        sources.flatMap((s, i) => [i > 0 ? '، ' : '', h('a', { href: sourcePath(s) }, bidi(s))]));
}

/** @param {CatalogRef | null | undefined} section */
export function sectionLink(section) {
    return section ? h('a', { class: 'section-link', href: sectionPath(section.slug) }, bidi(section.name)) : null;
}

/**
 * An image with its renditions as srcset; lazy unless it is the page's lead.
 * @param {Image} image
 * @param {string} sizes
 * @param {boolean} lead
 */
export function picture(image, sizes, lead) {
    const srcset = image.renditions.map((r) => r.url + ' ' + r.width + 'w').join(', ');
    return h('img', {
        src: image.url, alt: image.alt, width: image.width ?? undefined, height: image.height ?? undefined,
        srcset: srcset || undefined, sizes: srcset ? sizes : undefined,
        loading: lead ? 'eager' : 'lazy', decoding: 'async',
    });
}

/** One article in a list. @param {ArticleSummary} a */
export function articleCard(a) {
    // the article's language and direction on its own words, not on the site's labels
    const own = { lang: a.lang, dir: a.dir };
    const snippet = a.snippet ? h('p', { class: 'snippet', ...own }, ...snippetNodes(a.snippet)) : null;
    return h('li', { class: 'card', 'data-id': a.id },
        a.image ? picture(a.image, '(max-width: 40rem) 100vw, 12rem', false) : null,
        h('div', {},
            h('h2', own, h('a', { href: articlePath(a.slug) }, a.title)),
            snippet ?? (a.summary ? h('p', { class: 'summary', ...own }, a.summary) : null),
            h('div', { class: 'meta' }, dateLine(a.published_at), sectionLink(a.section),
                a.pinned ? h('span', { class: 'pinned' }, 'مثبّت') : null)));
}

/**
 * A list of articles read page by page: the pages whose cursors are given (null: the
 * first), then a "more" button that loads the next and tells onMore its cursor.
 * @param {(cursor: string | null) => Promise<{data: ArticleSummary[], next_cursor: string | null}>} fetchPage
 * @param {(string | null)[]} cursors
 * @param {(cursor: string) => void} onMore
 * @param {string} empty what an empty list says
 * @param {{data: ArticleSummary[], next_cursor: string | null} | null} [first] the page of
 *   cursors[0], when the caller has fetched it already
 */
export async function pagedList(fetchPage, cursors, onMore, empty, first = null) {
    const list = h('ol', { class: 'articles' });
    const more = h('button', { type: 'button', class: 'more' }, 'المزيد');
    const box = h('section', { class: 'list', 'aria-label': 'المقالات' }, list, more);
    /** @type {string | null} */
    let next = null;
    /** @param {{data: ArticleSummary[], next_cursor: string | null}} page */
    const add = (page) => {
        list.append(...page.data.map(articleCard));
        next = page.next_cursor;
        more.hidden = next === null;
    };
    for (const [i, cursor] of cursors.entries())
        add(i === 0 && first ? first : await fetchPage(cursor));
    if (list.childElementCount === 0)
        list.replaceWith(h('p', { class: 'empty' }, empty));
    let busy = false;
    more.addEventListener('click', async () => {
        if (next === null || busy)
            return;
        const cursor = next;
        // aria-disabled, not disabled: a disabled button would drop the keyboard's focus
        busy = true;
        more.setAttribute('aria-disabled', 'true');
        more.textContent = 'جارٍ التحميل…';
        box.querySelector('.more-error')?.remove();
        const first_new = list.childElementCount;
        try {
            const page = await fetchPage(cursor);
            if (!box.isConnected)
                return; // the reader has gone to another page
            add(page);
            onMore(cursor);
            // the reader goes on from the first new article
            const link = list.children[first_new]?.querySelector('a[href^="/articles/"]');
            if (link instanceof HTMLElement)
                link.focus();
        } catch {
            more.after(h('p', { class: 'more-error', role: 'alert' }, 'تعذّر تحميل المزيد؛ حاول مرة أخرى.'));
        } finally {
            busy = false;
            more.removeAttribute('aria-disabled');
            more.textContent = 'المزيد';
        }
    });
    return box;
}
