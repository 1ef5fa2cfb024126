// What the three peer pages share: the portal's wording, its API calls, and the
// few checks a plain page would make. The peers are what the portal is measured
// against (cargo xtask bench), so they do what it does on the measured path, in
// the way a careful React, Preact or plain-JS page would; they are not the product.

export const TEXT = {
  emailTitle: 'Sign in to manage your subscriptions',
  emailLede: 'We\u2019ll email you a 6-digit code. No password needed.',
  emailLabel: 'Email address',
  emailSubmit: 'Email me a code',
  sending: 'Sending\u2026',
  codeTitle: 'Check your email',
  codeSentTo: 'We sent a 6-digit code to ',
  codeLifetime: ' It expires in 10 minutes.',
  codeLabel: 'Sign-in code',
  codeSubmit: 'Sign in',
  checking: 'Checking\u2026',
  useAnother: 'Use a different email',
  resent: 'We sent the code again. Check your inbox.',
  unreachable: 'We couldn\u2019t reach the portal. Check your connection and try again.',
  listTitle: 'Your subscriptions',
};

export const CODE_DIGITS = 6;
export const RESEND_SECONDS = 60;

export function resendLabel(remaining) {
  if (remaining <= 0) return 'Resend code';
  return `Resend code in ${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, '0')}`;
}

// The check a typical page makes before sending: one @, a dot in the domain, no spaces.
export function emailProblem(value) {
  const address = value.trim();
  if (address === '') return 'Enter your email address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) return 'Enter an email address like name@example.com.';
  return null;
}

export function codeDigits(value) {
  return value.replace(/\D/g, '').slice(0, CODE_DIGITS);
}

let apiBase = '';

// config.json as the portal reads it (preloaded by the shared index.html).
export async function loadConfig() {
  const response = await fetch('/config.json');
  const config = await response.json();
  apiBase = typeof config.apiBase === 'string' ? config.apiBase : '';
}

async function call(path, body, session) {
  const headers = { 'content-type': 'application/json' };
  if (session) headers['x-portal-session'] = session;
  let response;
  try {
    response = await fetch(apiBase + path, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch {
    throw new Error(TEXT.unreachable);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(answer?.error?.message || TEXT.unreachable);
  return answer;
}

export const start = (email, resend) => call('/portal/email/start', resend ? { email, resend: true } : { email });
export const verify = (email, code) => call('/portal/email/verify', { email, code });
export const act = (session, sub, action) =>
  call(`/portal/email/subscriptions/${encodeURIComponent(sub.mode || 'live')}/${encodeURIComponent(sub.id)}/${action}`, {}, session);

// One formatter for the page, as the portal does.
const dates = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const date = (iso) => (iso ? dates.format(new Date(iso)) : null);
const moneyFormats = new Map();

function price(plan) {
  let format = moneyFormats.get(plan.currency);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency: plan.currency });
    moneyFormats.set(plan.currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  const every = plan.intervalCount === 1 ? `every ${plan.interval}` : `every ${plan.intervalCount} ${plan.interval}s`;
  return `${format.format(plan.amount / 10 ** digits)} ${every}`;
}

const BADGES = {
  active: ['Active', 'good'], trialing: ['Trial', 'info'], past_due: ['Payment overdue', 'warn'],
  paused: ['Paused', 'neutral'], unpaid: ['Unpaid', 'bad'], incomplete: ['Incomplete', 'warn'],
  canceled: ['Canceled', 'muted'], expired: ['Expired', 'muted'],
};

// What one card shows, from one subscription of the list.
export function card(sub) {
  const ended = sub.status === 'canceled' || sub.status === 'expired';
  let [label, tone] = BADGES[sub.status] || [sub.status.replace(/_/g, ' '), 'neutral'];
  if (sub.cancelAtPeriodEnd && !ended) [label, tone] = [sub.status === 'active' ? 'Set to cancel' : `${label} \u00b7 set to cancel`, 'warn'];
  const end = date(sub.currentPeriodEnd);
  let period = null;
  if (end) {
    if (ended) period = `Ended ${end}`;
    else if (sub.cancelAtPeriodEnd) period = `Cancels on ${end}`;
    else if (sub.status === 'paused') period = `Paused; period ends ${end}`;
    else if (sub.status === 'active' || sub.status === 'past_due') period = `Renews on ${end}`;
    else period = `Period ends ${end}`;
  }
  const actions = [];
  if (sub.status === 'active' || sub.status === 'trialing') actions.push(['pause', 'Pause']);
  if (sub.status === 'paused') actions.push(['resume', 'Resume']);
  if (!ended && !sub.cancelAtPeriodEnd) actions.push(['cancel', 'Cancel subscription']);
  return {
    id: sub.id,
    plan: sub.plan ? sub.plan.name : 'Subscription',
    price: sub.plan ? price(sub.plan) : 'Plan details unavailable',
    test: sub.mode === 'test',
    badge: label,
    tone,
    period,
    actions,
  };
}

export const DONE = { pause: 'Paused. It won\u2019t renew until you resume it.', resume: 'Resumed.', cancel: 'Set to cancel.' };
