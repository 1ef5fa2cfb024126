// A first visit to each page, interleaved run by run, in Debian's Chromium driven
// through the DevTools protocol: first contentful paint, and "ready", when the
// email field is on the page and live (every page renders it from its script).
// node load.mjs CONFIG.json, where CONFIG is
// { "pages": [{"name", "url"}], "runs": 15, "throttle": {rttMs, downKbps, upKbps, cpu} | null, "out" }
import { createRequire } from 'node:module';
// The bench's npm packages live under target/ (cargo xtask bench installs them
// there and names the folder); ES modules do not read NODE_PATH.
const { chromium } = createRequire(`${process.env.BENCH_MODULES}/`)('playwright-core');
import { readFileSync, writeFileSync } from 'node:fs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { pages, runs, throttle, out } = config;

// Before any page script: note when the email field first appears.
function instrument() {
  window.__ready = null;
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-testid=email-input]')) {
      window.__ready = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps'],
});

async function visit(page) {
  // A new context each time: an empty cache and no connections, as on a first visit.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  await tab.addInitScript(instrument);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  const encodings = {};
  cdp.on('Network.responseReceived', ({ response }) => {
    const name = new URL(response.url).pathname;
    encodings[name] = response.headers['content-encoding'] || response.headers['Content-Encoding'] || 'identity';
  });
  if (throttle) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: throttle.rttMs,
      downloadThroughput: (throttle.downKbps * 1000) / 8,
      uploadThroughput: (throttle.upKbps * 1000) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle.cpu });
  }
  await tab.goto(page.url, { waitUntil: 'commit' });
  await tab.waitForFunction(() => window.__ready !== null, null, { timeout: 60000, polling: 50 });
  const measured = await tab.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource');
    const navigation = performance.getEntriesByType('navigation')[0];
    return {
      fcpMs: paint ? paint.startTime : null,
      readyMs: window.__ready,
      transferred: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
      requests: resources.length + 1,
      lastByteMs: Math.max(navigation.responseEnd, ...resources.map((r) => r.responseEnd)),
    };
  });
  measured.encodings = encodings;
  await context.close();
  return measured;
}

const results = Object.fromEntries(pages.map((page) => [page.name, []]));
for (let run = 0; run < runs; run++) {
  // Interleaved, and each run starts with a different page, so drift on a
  // noisy machine falls on every page alike.
  for (let i = 0; i < pages.length; i++) {
    const page = pages[(run + i) % pages.length];
    results[page.name].push(await visit(page));
  }
  process.stderr.write(`load ${throttle ? 'throttled' : 'unthrottled'}: run ${run + 1}/${runs}\n`);
}
await browser.close();
writeFileSync(out, JSON.stringify({ throttle, runs, pages: results }, null, 1));
