// suggest.js: the search box's suggestions as the reader types (the ARIA combobox
// pattern: arrows move through them, Enter opens one, Escape closes them).

import { suggest } from './api.js';
import { h, bidi } from './dom.js';
import { articlePath, authorPath, sectionPath, tagPath } from './links.js';

const WAIT_MS = 120;

/** @typedef {import('./api.js').Suggestions} Suggestions */

/** @param {Suggestions} s @returns {{href: string, label: string, kind: string}[]} */
function optionsOf(s) {
    return [
        ...s.articles.map((a) => ({ href: articlePath(a.slug), label: a.title, kind: 'مقالة' })),
        ...s.tags.map((t) => ({ href: tagPath(t.slug), label: t.name, kind: 'وسم' })),
        ...s.authors.map((a) => ({ href: authorPath(a.slug), label: a.name, kind: 'كاتب' })),
        ...s.sections.filter((x) => x.slug && x.name).map((x) => ({ href: sectionPath(x.slug ?? ''), label: x.name ?? '', kind: 'قسم' })),
    ];
}

/**
 * Makes the form's input a combobox with suggestions; navigate opens an address.
 * @param {HTMLFormElement} form
 * @param {HTMLInputElement} input
 * @param {(href: string) => void} navigate
 */
export function attachSuggestions(form, input, navigate) {
    const list = h('ul', { id: 'suggestions', role: 'listbox', class: 'suggestions', 'aria-label': 'اقتراحات' });
    list.hidden = true;
    form.append(list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', 'suggestions');
    input.setAttribute('aria-expanded', 'false');
    /** @type {{href: string, label: string, kind: string}[]} */
    let options = [];
    let active = -1;
    let asked = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;

    const close = () => {
        clearTimeout(timer);
        asked++; // an answer still on its way is not shown
        list.hidden = true;
        list.replaceChildren();
        options = [];
        active = -1;
        input.setAttribute('aria-expanded', 'false');
        input.removeAttribute('aria-activedescendant');
    };
    /** @param {number} i */
    const activate = (i) => {
        active = i;
        [...list.children].forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
        if (i >= 0)
            input.setAttribute('aria-activedescendant', 'suggestion-' + i);
        else
            input.removeAttribute('aria-activedescendant');
    };
    /** @param {string} href */
    const open = (href) => {
        close();
        navigate(href);
    };
    const show = () => {
        list.replaceChildren(...options.map((o, i) => h('li', {
            id: 'suggestion-' + i, role: 'option', 'aria-selected': 'false',
            onmousedown: (/** @type {Event} */ e) => { e.preventDefault(); open(o.href); },
        }, bidi(o.label), ' ', h('span', { class: 'kind' }, o.kind))));
        list.hidden = options.length === 0;
        input.setAttribute('aria-expanded', String(options.length > 0));
        activate(-1);
    };
    const ask = async () => {
        const q = input.value.trim();
        const mine = ++asked;
        if (!/[\p{L}\p{N}]/u.test(q) || q.length > 100) {
            close();
            return;
        }
        try {
            const s = await suggest(q);
            if (mine !== asked || document.activeElement !== input)
                return; // the reader typed on, or left the box
            options = optionsOf(s);
            show();
        } catch {
            close(); // suggestions are a help: the search itself still works
        }
    };

    input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowDown' && options.length > 0) {
            e.preventDefault();
            activate((active + 1) % options.length);
        } else if (e.key === 'ArrowUp' && options.length > 0) {
            e.preventDefault();
            activate(active <= 0 ? options.length - 1 : active - 1);
        } else if (e.key === 'Escape') {
            close();
        } else if (e.key === 'Enter' && active >= 0) {
            e.preventDefault();
            open(options[active].href);
        }
    });
    input.addEventListener('blur', () => setTimeout(close, 100));
    form.addEventListener('submit', close);
}
