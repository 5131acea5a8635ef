// driver.mjs: Debian's Chromium driven by playwright-core for the Python tests: one JSON
// command a line on stdin, one JSON answer a line on stdout (browser.py speaks it).
//
// A command is {"cmd": name, ...arguments}; the answer {"ok": true, "value": ...} or
// {"ok": false, "error": message}. "open" starts a fresh browser context (no cache, no
// cookies) and records what its page fetches and logs until the next "open".
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TIMEOUT_MS = 10000;

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // root in a container has no user namespace for Chromium's sandbox
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--font-render-hinting=none'],
});
let context = null;
let page = null;
let network = [];
let problems = [];

async function open({ viewport = { width: 1280, height: 900 }, timezone = 'Asia/Riyadh', bypass_csp = false } = {}) {
    if (context)
        await context.close();
    context = await browser.newContext({ viewport, timezoneId: timezone, locale: 'ar', bypassCSP: bypass_csp });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    network = [];
    problems = [];
    page.on('response', async (response) => {
        const request = response.request();
        const entry = {
            url: response.url(), status: response.status(), method: request.method(),
            // a response can end after its page was closed for the next test: its headers are then gone
            type: request.resourceType(), if_none_match: (await request.allHeaders().catch(() => ({})))['if-none-match'] ?? null,
            from_cache: response.fromServiceWorker() ? 'worker' : null,
        };
        network.push(entry);
    });
    page.on('requestfailed', (request) => network.push({ url: request.url(), status: 0, method: request.method(), type: request.resourceType(), failure: request.failure()?.errorText ?? '' }));
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    return true;
}

// The element a selector names, as a short description (for focus checks).
const DESCRIBE = (el) => el ? { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 200), href: el.getAttribute('href') } : null;

const commands = {
    open,
    goto: async ({ url }) => { await page.goto(url, { waitUntil: 'load' }); return page.url(); },
    url: async () => page.url(),
    wait: async ({ selector, state = 'visible', timeout = TIMEOUT_MS }) => { await page.waitForSelector(selector, { state, timeout }); return true; },
    // polled from here, as the page's own waitForFunction would eval a string, which the
    // page's Content-Security-Policy forbids
    wait_for: async ({ expression, timeout = TIMEOUT_MS }) => {
        const deadline = Date.now() + timeout;
        for (;;) {
            if (await page.evaluate(expression).catch(() => false))
                return true;
            if (Date.now() > deadline)
                throw new Error('timed out after ' + timeout + ' ms waiting for ' + expression);
            await new Promise((r) => setTimeout(r, 50));
        }
    },
    click: async ({ selector }) => { await page.click(selector); return true; },
    fill: async ({ selector, text }) => { await page.fill(selector, text); return true; },
    type: async ({ selector, text, delay = 60 }) => { await page.locator(selector).pressSequentially(text, { delay }); return true; },
    press: async ({ key }) => { await page.keyboard.press(key); return true; },
    focused: async () => page.evaluate(`(${DESCRIBE})(document.activeElement)`),
    texts: async ({ selector }) => page.locator(selector).allInnerTexts(),
    attrs: async ({ selector, name }) => page.$$eval(selector, (els, n) => els.map((e) => e.getAttribute(n)), name),
    count: async ({ selector }) => page.locator(selector).count(),
    eval: async ({ expression }) => page.evaluate(expression),
    back: async () => { await page.goBack(); return page.url(); },
    forward: async () => { await page.goForward(); return page.url(); },
    reload: async () => { await page.reload({ waitUntil: 'load' }); return page.url(); },
    screenshot: async ({ path, full_page = false }) => { await page.screenshot({ path, fullPage: full_page }); return path; },
    network: async ({ clear = false }) => { const n = network; if (clear) network = []; return n; },
    problems: async () => problems,
    axe: async () => {
        await page.evaluate(AXE_SOURCE);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    },
    close: async () => { if (context) await context.close(); context = null; return true; },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
    if (line.trim() === '')
        continue;
    let answer;
    try {
        const { cmd, ...args } = JSON.parse(line);
        if (!(cmd in commands))
            throw new Error('unknown command ' + cmd);
        answer = { ok: true, value: (await commands[cmd](args)) ?? null };
    } catch (e) {
        answer = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
