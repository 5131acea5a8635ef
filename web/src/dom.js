// dom.js: building the page's elements from data, never from strings of HTML.

/** @typedef {string | Node | null | undefined | false} Child */

/**
 * An element with attributes (on* names become listeners) and children (strings are text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | EventListener | null | undefined>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false)
            continue;
        if (typeof value === 'function')
            el.addEventListener(name.slice(2), value);
        else
            el.setAttribute(name, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
}

/**
 * Appends children (nested arrays flattened; null, undefined and false skipped).
 * @param {Element} el
 * @param {(Child | Child[])[]} children
 */
export function append(el, children) {
    for (const child of children.flat()) {
        if (child === null || child === undefined || child === false)
            continue;
        el.append(child);
    }
}

/**
 * Text whose direction is its own (a Latin name in an Arabic line), isolated so that it
 * never reorders the words around it.
 * @param {string} text
 */
export const bidi = (text) => h('bdi', {}, text);

/**
 * An element holding HTML the API made safe (an article's body_html): parsed inert, in a
 * template, then moved in.
 * @param {HTMLElement} el
 * @param {string} html
 */
export function setSafeHtml(el, html) {
    const template = document.createElement('template');
    template.innerHTML = html;
    el.replaceChildren(template.content);
    return el;
}

/**
 * A search snippet: text whose only markup is <mark> (HTML-escaped by the API). Anything
 * else is shown as text.
 * @param {string} snippet
 */
export function snippetNodes(snippet) {
    const template = document.createElement('template');
    template.innerHTML = snippet;
    const only_marks = [...template.content.querySelectorAll('*')].every((e) => e.tagName === 'MARK');
    if (!only_marks)
        return [document.createTextNode(template.content.textContent ?? '')];
    // each mark made anew, holding its text alone (no attribute of the snippet's survives)
    return [...template.content.childNodes].map((n) =>
        n.nodeType === Node.ELEMENT_NODE ? h('mark', {}, n.textContent ?? '') : document.createTextNode(n.textContent ?? ''));
}
