// Rendering a big account: sign in through the real UI, then time from the
// verify answer to the last card, list the long tasks, and read the wasm
// memory. Also a card's update after an action.
// node render.mjs BASE EMAIL CARDS RUNS CPU_RATE OUT.json
import { createRequire } from 'node:module';
// The bench's npm packages live under target/ (cargo xtask bench installs them
// there and names the folder); ES modules do not read NODE_PATH.
const { chromium } = createRequire(`${process.env.BENCH_MODULES}/`)('playwright-core');
import { writeFileSync } from 'node:fs';

const [base, email, cards, runs, cpuRate, out] = process.argv.slice(2);
const expected = Number(cards);

// Before any page script: count cards as they come, note long tasks, keep each
// wasm instance's memory.
function instrument(expected) {
  window.__bench = { longTasks: [], memories: [], cardsAt: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      const exports = (result.instance || result).exports;
      // By type, not by name: the build gives exports short names.
      for (const value of Object.values(exports || {})) {
        if (value instanceof WebAssembly.Memory) window.__bench.memories.push(value);
      }
      return result;
    };
  }
  new MutationObserver(() => {
    if (window.__bench.cardsAt === null
        && document.querySelectorAll('[data-testid=subscription]').length >= expected) {
      window.__bench.cardsAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
}

async function codeFor(address, mails) {
  for (let i = 0; i < 200; i++) {
    const box = await (await fetch(`${base}/dev/outbox`)).json();
    const found = box.items.filter((m) => m.to === address);
    if (found.length >= mails) return found[0].code;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no code');
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const results = [];
for (let run = 0; run < Number(runs); run++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(instrument, expected);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: Number(cpuRate) });
  await page.goto(`${base}/`);
  await page.fill('[data-testid=email-input]', email);
  await page.click('[data-testid=email-submit]');
  await page.waitForSelector('[data-testid=code-step]');
  // Let the account app's prefetch finish, as it would while a person reads the mail.
  await page.waitForLoadState('networkidle');
  const code = await codeFor(email, run + 1);
  await page.fill('[data-testid=code-input]', code);
  await page.waitForFunction(() => window.__bench.cardsAt !== null, null, { timeout: 120000 });
  const measured = await page.evaluate(() => {
    const verify = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/portal/email/verify'));
    const after = verify.responseEnd;
    const longTasks = window.__bench.longTasks.filter(([start, d]) => start + d >= after);
    return {
      renderMs: window.__bench.cardsAt - after,
      longestTaskMs: Math.max(0, ...longTasks.map(([, d]) => d)),
      longTasks: longTasks.length,
      wasmMemoryMiB: window.__bench.memories.map((m) => m.buffer.byteLength / 1048576),
    };
  });
  // One card's update: from the action's answer to the card saying so, timed in
  // the page. A different card each run: the server keeps what was done.
  measured.updateMs = await page.evaluate(async (index) => {
    const card = document.querySelectorAll('[data-testid=subscription]')[index];
    card.querySelector('[data-testid=action-pause]').click();
    // Looked up again after the click: the portal's card shown as HTML gives way
    // to its component there, in the same task.
    const done = document.querySelector(`[data-id="${card.dataset.id}"] [data-testid=action-done]`);
    const shown = new Promise((resolve) => {
      new MutationObserver((_, observer) => {
        if (done.textContent) { observer.disconnect(); resolve(performance.now()); }
      }).observe(done, { childList: true, subtree: true, characterData: true });
    });
    const at = await shown;
    const answer = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/pause')).pop();
    return at - answer.responseEnd;
  }, 100 + run);
  results.push(measured);
  await context.close();
  process.stderr.write(`render run ${run + 1}: ${measured.renderMs.toFixed(0)} ms, update ${measured.updateMs.toFixed(1)} ms\n`);
}
await browser.close();
writeFileSync(out, JSON.stringify({ cards: expected, cpuRate: Number(cpuRate), runs: results }, null, 1));
