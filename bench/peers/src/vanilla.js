// The plain-JS peer: the same two-step form written against the DOM by hand.
import { TEXT, CODE_DIGITS, RESEND_SECONDS, codeDigits, emailProblem, loadConfig, resendLabel, start, verify } from './common.js';

const html = (strings, ...values) => strings.reduce((out, s, i) => out + s + (i < values.length ? escape(values[i]) : ''), '');
const escape = (value) => String(value).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function shell() {
  const root = document.createElement('div');
  // The skip link and top bar are index.html's, as the portal's are.
  root.innerHTML = html`<main id="main" class="page"><section class="card" data-testid="sign-in"></section></main>`;
  document.getElementById('boot')?.remove();
  document.body.append(root);
  return root.querySelector('[data-testid=sign-in]');
}

function emailStep(card) {
  card.innerHTML = html`<form class="stack" novalidate data-testid="email-step">
    <h1 class="title" tabindex="-1">${TEXT.emailTitle}</h1>
    <p class="lede">${TEXT.emailLede}</p>
    <div class="field"><label for="email">${TEXT.emailLabel}</label>
      <input id="email" name="email" type="email" inputmode="email" autocomplete="email" autocapitalize="off" spellcheck="false" required data-testid="email-input">
      <p id="email-error" class="field-error" data-testid="email-error" aria-live="polite"></p></div>
    <div class="form-problem" role="alert"></div>
    <button type="submit" class="button primary" data-testid="email-submit">${TEXT.emailSubmit}</button></form>`;
  const form = card.querySelector('form');
  const input = form.querySelector('input');
  const error = form.querySelector('#email-error');
  const button = form.querySelector('button');
  let busy = false;
  const showError = (message) => {
    error.textContent = message || '';
    input.toggleAttribute('aria-invalid', !!message);
    if (message) input.setAttribute('aria-describedby', 'email-error');
    else input.removeAttribute('aria-describedby');
  };
  input.addEventListener('input', () => { if (error.textContent) showError(emailProblem(input.value)); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const invalid = emailProblem(input.value);
    showError(invalid);
    if (invalid) return input.focus();
    busy = true;
    button.textContent = TEXT.sending;
    button.setAttribute('aria-busy', 'true');
    form.querySelector('.form-problem').textContent = '';
    try {
      const started = await start(input.value.trim());
      codeStep(card, started.email);
    } catch (failure) {
      form.querySelector('.form-problem').innerHTML = html`<p>${failure.message}</p>`;
      busy = false;
      button.textContent = TEXT.emailSubmit;
      button.removeAttribute('aria-busy');
    }
  });
}

function codeStep(card, email) {
  card.innerHTML = html`<form class="stack" novalidate data-testid="code-step">
    <h1 class="title">${TEXT.codeTitle}</h1>
    <p class="lede">${TEXT.codeSentTo}<strong class="email" data-testid="code-email">${email}</strong>.${TEXT.codeLifetime}</p>
    <div class="field"><label for="code">${TEXT.codeLabel}</label>
      <input id="code" name="code" class="code-input" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" spellcheck="false" data-testid="code-input">
      <p id="code-error" class="field-error" data-testid="code-error" aria-live="assertive"></p>
      <p class="status-line" role="status" data-testid="code-status"></p></div>
    <button type="submit" class="button primary" data-testid="code-submit">${TEXT.codeSubmit}</button>
    <button type="button" class="button secondary" data-testid="code-resend" disabled></button>
    <button type="button" class="link-button" data-testid="code-use-another">${TEXT.useAnother}</button></form>`;
  const form = card.querySelector('form');
  const input = form.querySelector('#code');
  const error = form.querySelector('#code-error');
  const status = form.querySelector('[data-testid=code-status]');
  const submit = form.querySelector('[data-testid=code-submit]');
  const resend = form.querySelector('[data-testid=code-resend]');
  let checking = false;
  let sentAt = Date.now();
  let previous = '';
  const tick = () => {
    const remaining = Math.max(0, RESEND_SECONDS - Math.floor((Date.now() - sentAt) / 1000));
    resend.textContent = resendLabel(remaining);
    resend.disabled = remaining > 0;
  };
  tick();
  const timer = setInterval(tick, 1000);
  const check = async () => {
    if (checking) return;
    if (input.value.length !== CODE_DIGITS) { error.textContent = `Enter all ${CODE_DIGITS} digits of the code.`; return; }
    checking = true;
    submit.textContent = TEXT.checking;
    status.textContent = '';
    try {
      await verify(email, input.value);
      clearInterval(timer);
      document.getElementById('main').innerHTML = html`<h1 class="title">${TEXT.listTitle}</h1>`;
    } catch (failure) {
      error.textContent = failure.message;
      checking = false;
      submit.textContent = TEXT.codeSubmit;
      input.focus();
    }
  };
  input.addEventListener('input', () => {
    const digits = codeDigits(input.value);
    const atOnce = digits.length > previous.length + 1;
    input.value = previous = digits;
    error.textContent = '';
    if (atOnce && digits.length === CODE_DIGITS) check();
  });
  form.addEventListener('submit', (event) => { event.preventDefault(); check(); });
  resend.addEventListener('click', async () => {
    try {
      await start(email, true);
      sentAt = Date.now();
      input.value = previous = '';
      status.textContent = TEXT.resent;
      tick();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  form.querySelector('[data-testid=code-use-another]').addEventListener('click', () => {
    clearInterval(timer);
    emailStep(card);
  });
  input.focus();
}

await loadConfig();
emailStep(shell());
