// The two-step sign-in form as a React or Preact page writes it: one source,
// bundled against each (esbuild's jsx-import-source, and `peer-hooks` aliased to
// react or preact/hooks). Same markup, classes and wording as the portal's.
import { useEffect, useRef, useState } from 'peer-hooks';
import { TEXT, CODE_DIGITS, RESEND_SECONDS, codeDigits, emailProblem, resendLabel, start, verify } from './common.js';

export function SignIn({ onSignedIn }) {
  const [email, setEmail] = useState(null);
  return (
    <>
      {/* The skip link and top bar are index.html's, as the portal's are. */}
      <main id="main" className="page">
        <section className="card" data-testid="sign-in">
          {email === null
            ? <EmailStep onSent={setEmail} />
            : <CodeStep email={email} onAnother={() => setEmail(null)} onSignedIn={onSignedIn} />}
        </section>
      </main>
    </>
  );
}

function EmailStep({ onSent }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    const invalid = emailProblem(value);
    setError(invalid);
    if (invalid) return input.current.focus();
    setBusy(true);
    setProblem(null);
    try {
      const started = await start(value.trim());
      onSent(started.email);
    } catch (failure) {
      setProblem(failure.message);
      setBusy(false);
    }
  };
  return (
    <form className="stack" noValidate onSubmit={submit} data-testid="email-step">
      <h1 className="title" tabIndex="-1">{TEXT.emailTitle}</h1>
      <p className="lede">{TEXT.emailLede}</p>
      <div className="field">
        <label htmlFor="email">{TEXT.emailLabel}</label>
        <input id="email" name="email" type="email" inputMode="email" autoComplete="email"
          autoCapitalize="off" spellCheck="false" required data-testid="email-input" ref={input}
          value={value} aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'email-error' : undefined}
          onInput={(event) => {
            setValue(event.target.value);
            if (error) setError(emailProblem(event.target.value));
          }} />
        <p id="email-error" className="field-error" data-testid="email-error" aria-live="polite">{error}</p>
      </div>
      <div className="form-problem" role="alert">{problem && <p>{problem}</p>}</div>
      <button type="submit" className="button primary" data-testid="email-submit"
        aria-disabled={busy ? 'true' : undefined} aria-busy={busy ? 'true' : undefined}>
        {busy ? TEXT.sending : TEXT.emailSubmit}
      </button>
    </form>
  );
}

function CodeStep({ email, onAnother, onSignedIn }) {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState(null);
  const [status, setStatus] = useState(null);
  const [checking, setChecking] = useState(false);
  const [sentAt, setSentAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  const field = useRef(null);
  useEffect(() => field.current.focus(), []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const remaining = Math.max(0, RESEND_SECONDS - Math.floor((now - sentAt) / 1000));
  const check = async (code) => {
    if (checking) return;
    if (code.length !== CODE_DIGITS) return setProblem(`Enter all ${CODE_DIGITS} digits of the code.`);
    setChecking(true);
    setStatus(null);
    try {
      onSignedIn(await verify(email, code));
    } catch (failure) {
      setProblem(failure.message);
      setChecking(false);
      field.current.focus();
    }
  };
  const resend = async () => {
    try {
      await start(email, true);
      setSentAt(Date.now());
      setValue('');
      setProblem(null);
      setStatus(TEXT.resent);
    } catch (failure) {
      setProblem(failure.message);
    }
  };
  return (
    <form className="stack" noValidate data-testid="code-step"
      onSubmit={(event) => { event.preventDefault(); check(value); }}>
      <h1 className="title">{TEXT.codeTitle}</h1>
      <p className="lede">{TEXT.codeSentTo}<strong className="email" data-testid="code-email">{email}</strong>.{TEXT.codeLifetime}</p>
      <div className="field">
        <label htmlFor="code">{TEXT.codeLabel}</label>
        <input id="code" name="code" className="code-input" type="text" inputMode="numeric"
          autoComplete="one-time-code" pattern="[0-9]*" spellCheck="false" data-testid="code-input"
          ref={field} value={value} aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'code-error' : undefined}
          onInput={(event) => {
            const digits = codeDigits(event.target.value);
            const atOnce = digits.length > value.length + 1;
            setValue(digits);
            setProblem(null);
            if (atOnce && digits.length === CODE_DIGITS) check(digits);
          }} />
        <p id="code-error" className="field-error" data-testid="code-error" aria-live="assertive">{problem}</p>
        <p className="status-line" role="status" data-testid="code-status">{status}</p>
      </div>
      <button type="submit" className="button primary" data-testid="code-submit"
        aria-disabled={checking ? 'true' : undefined} aria-busy={checking ? 'true' : undefined}>
        {checking ? TEXT.checking : TEXT.codeSubmit}
      </button>
      <button type="button" className="button secondary" data-testid="code-resend"
        disabled={remaining > 0} onClick={resend}>{resendLabel(remaining)}</button>
      <button type="button" className="link-button" data-testid="code-use-another" onClick={onAnother}>
        {TEXT.useAnother}
      </button>
    </form>
  );
}
