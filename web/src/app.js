// app.js: the frontend's entry: routes an address to its page, follows links without
// reloading, and shows a clear message with a retry when the API cannot answer.

import { ApiError, feedUrls, listSections } from './api.js';
import { h, bidi } from './dom.js';
import { articlePage } from './page_article.js';
import { authorPage, homePage, sectionPage, sourcePage, tagPage } from './page_lists.js';
import { searchPage } from './page_search.js';
import { searchPath, sectionPath } from './links.js';
import { attachSuggestions } from './suggest.js';

/**
 * What a page shows: its title (empty: the site's name alone), its content, the feeds of
 * what it lists (a filter of /v1/feeds; absent: none) and its canonical address.
 * @typedef {{title: string, content: (Node | null)[], feeds?: Record<string, string>, canonical?: string}} View
 */
/**
 * The pages a list shows, by their cursors (null: the first), and what to do when the
 * reader asks for one more.
 * @typedef {{cursors: (string | null)[], more: (cursor: string) => void}} Paging
 */

const SITE = document.querySelector('meta[name="khabar-site"]')?.getAttribute('content') || 'خبر';

/** A path segment decoded; a malformed one names nothing. @param {string} part */
function decode(part) {
    try {
        return decodeURIComponent(part);
    } catch {
        throw new ApiError('problem', 404, null);
    }
}

/**
 * The routes: a path pattern and the page it shows.
 * @type {[RegExp, (m: RegExpMatchArray, url: URL, paging: Paging) => Promise<View>][]}
 */
const ROUTES = [
    [/^\/$/, (_m, _u, p) => homePage(p)],
    [/^\/articles\/([^/]+)$/, (m) => articlePage(decode(m[1]))],
    [/^\/tags\/([^/]+)$/, (m, _u, p) => tagPage(decode(m[1]), p)],
    [/^\/sources\/([^/]+)$/, (m, _u, p) => sourcePage(decode(m[1]), p)],
    [/^\/authors\/([^/]+)$/, (m, _u, p) => authorPage(decode(m[1]), p)],
    [/^\/sections\/([^/]+)$/, (m, _u, p) => sectionPage(decode(m[1]), p)],
    [/^\/search$/, (_m, u, p) => searchPage(u.searchParams, p)],
];

/** @param {string} pathname */
const routeOf = (pathname) => ROUTES.find(([pattern]) => pattern.test(pathname));

/** The paging of the current history entry: its cursors, or the one in the address. */
function pagingOf(/** @type {URL} */ url) {
    const state = history.state;
    const mine = shown;
    /** @type {(string | null)[]} */
    const cursors = state && Array.isArray(state.cursors) ? [...state.cursors] : [url.searchParams.get('cursor')];
    return {
        cursors,
        more: (/** @type {string} */ cursor) => {
            if (mine !== shown)
                return; // the reader went to another page before this one grew
            cursors.push(cursor);
            const next = new URL(location.href);
            next.searchParams.set('cursor', cursor);
            history.pushState({ cursors: [...cursors] }, '', next);
            shownAddress = next.pathname + next.search;
        },
    };
}

/** @param {Record<string, string> | undefined} filter */
function setFeeds(filter) {
    document.querySelectorAll('link[rel="alternate"][data-feed]').forEach((l) => l.remove());
    if (filter === undefined)
        return;
    for (const feed of feedUrls(filter))
        document.head.append(h('link', { rel: 'alternate', type: feed.type, href: feed.href, title: SITE + ' (' + feed.format + ')', 'data-feed': '' }));
}

/** @param {string | undefined} path */
function setCanonical(path) {
    document.querySelector('link[rel="canonical"]')?.remove();
    if (path)
        document.head.append(h('link', { rel: 'canonical', href: new URL(path, location.origin).href }));
}

/** The page for an address that has none, or content that is not there. */
function notFound() {
    return {
        title: 'الصفحة غير موجودة',
        content: [h('section', { class: 'message' },
            h('h1', {}, 'الصفحة غير موجودة'),
            h('p', {}, 'لم نجد ما تبحث عنه: ربما نُقل أو حُذف، أو أن الرابط غير صحيح.'),
            h('p', {}, h('a', { href: '/' }, 'العودة إلى الصفحة الرئيسية')))],
    };
}

/** @param {ApiError} e */
function withdrawn(e) {
    const reason = e.problem && 'withdrawn_reason' in e.problem ? String(e.problem.withdrawn_reason) : '';
    return {
        title: 'خبر مسحوب',
        content: [h('section', { class: 'message' },
            h('h1', {}, 'سُحب هذا الخبر'),
            reason ? h('p', {}, 'السبب: ', bidi(reason)) : null,
            h('p', {}, h('a', { href: '/' }, 'العودة إلى الصفحة الرئيسية')))],
    };
}

/** The message when the API is down, slow or refuses; retry shows the page again. @param {unknown} e */
function failure(e) {
    const slow = e instanceof ApiError && e.kind === 'slow';
    const refused = e instanceof ApiError && !e.transient;
    // a request the API refuses would be refused again: no retry then
    const button = refused ? null : h('button', { type: 'button', class: 'retry', onclick: () => show() }, 'أعد المحاولة');
    return {
        title: 'تعذّر التحميل',
        content: [h('section', { class: 'message failure', role: 'alert' },
            h('h1', {}, slow ? 'الخدمة بطيئة الآن' : refused ? 'تعذّر تنفيذ الطلب' : 'تعذّر الوصول إلى خدمة الأخبار'),
            h('p', {}, slow ? 'لم يصل الرد في الوقت المعتاد. حاول مرة أخرى بعد قليل.'
                : refused ? 'لم تقبل الخدمة هذا الطلب.'
                    : 'قد يكون الاتصال مقطوعاً أو الخدمة متوقفة مؤقتاً. حاول مرة أخرى بعد قليل.'),
            button)],
    };
}

/** @param {unknown} e @returns {View} */
function viewOfError(e) {
    if (e instanceof ApiError && e.status === 404)
        return notFound();
    if (e instanceof ApiError && e.status === 410)
        return withdrawn(e);
    return failure(e);
}

let shown = 0;
let first = true;
/** The address shown last, without its fragment (a skip link changes only that). */
let shownAddress = '';

/** Shows the page of the current address. */
async function show() {
    const main = /** @type {HTMLElement} */ (document.getElementById('main'));
    const url = new URL(location.href);
    const mine = ++shown;
    shownAddress = url.pathname + url.search;
    const route = routeOf(url.pathname);
    main.setAttribute('aria-busy', 'true');
    /** @type {View} */
    let view;
    try {
        view = route ? await route[1](/** @type {RegExpMatchArray} */ (url.pathname.match(route[0])), url, pagingOf(url)) : notFound();
    } catch (e) {
        view = viewOfError(e);
    }
    if (mine !== shown)
        return; // the reader went on to another page meanwhile
    main.replaceChildren(...view.content.filter((n) => n !== null));
    main.removeAttribute('aria-busy');
    document.title = view.title ? view.title + ' — ' + SITE : SITE;
    setFeeds(view.feeds);
    setCanonical(view.canonical);
    if (view.canonical && view.canonical !== url.pathname) {
        history.replaceState(history.state, '', view.canonical + url.search);
        shownAddress = view.canonical + url.search;
    }
    markCurrentSection(url.pathname);
    if (!document.querySelector('#sections li'))
        loadSections(); // the API was down when the page opened: the navigation comes back with it
    const h1 = main.querySelector('h1');
    if (!first && h1) {
        // a screen reader's user hears the new page's title, and Tab goes on from there
        h1.tabIndex = -1;
        h1.focus();
    }
    first = false;
    performance.mark('khabar:content');
    document.documentElement.dataset.shown = String(mine);
}

/** Opens an address of the frontend without reloading. @param {string} href */
function navigate(href) {
    history.pushState(null, '', href);
    window.scrollTo(0, 0);
    show();
}

/** Links to the frontend's own pages are followed here; any other link as usual. @param {MouseEvent} e */
function onClick(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
        return;
    const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download'))
        return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !routeOf(url.pathname))
        return;
    if (url.hash && url.pathname + url.search === location.pathname + location.search)
        return; // a link within the page (the skip link): the browser moves there

    e.preventDefault();
    navigate(url.pathname + url.search);
}

/** @param {string} pathname */
function markCurrentSection(pathname) {
    document.querySelectorAll('#sections a').forEach((a) => {
        if (a.getAttribute('href') === pathname)
            a.setAttribute('aria-current', 'page');
        else
            a.removeAttribute('aria-current');
    });
}

/** The sections as the site's navigation (left empty when the API cannot say). */
async function loadSections() {
    const nav = document.getElementById('sections');
    if (!nav)
        return;
    try {
        const sections = await listSections();
        nav.replaceChildren(...sections.data.filter((s) => s.slug && s.name).map((s) =>
            h('li', {}, h('a', { href: sectionPath(s.slug ?? '') }, bidi(s.name ?? '')))));
        markCurrentSection(location.pathname);
    } catch {
        nav.replaceChildren();
    }
}

function start() {
    const form = document.querySelector('form.search-box');
    const input = form?.querySelector('input[name="q"]');
    if (form instanceof HTMLFormElement && input instanceof HTMLInputElement) {
        attachSuggestions(form, input, navigate);
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            // the API looks for letters and digits: anything else has nothing to find
            if (/[\p{L}\p{N}]/u.test(input.value))
                navigate(searchPath({ q: input.value.trim() }));
        });
        if (location.pathname === '/search')
            input.value = new URL(location.href).searchParams.get('q') ?? '';
    }
    document.addEventListener('click', onClick);
    window.addEventListener('popstate', () => {
        if (location.pathname + location.search !== shownAddress)
            show();
    });
    loadSections();
    show();
}

start();
