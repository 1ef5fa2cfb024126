// The React 19 peer: the sign-in form, then the account's cards from the verify
// answer, as a React page renders them (all at once, one component per card).
import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import { SignIn } from './form.jsx';
import { TEXT, DONE, act, card, loadConfig } from './common.js';

function Card({ session, merchant, initial }) {
  const [sub, setSub] = useState(initial);
  const [note, setNote] = useState(null);
  const [busy, setBusy] = useState(null);
  const shown = card(sub);
  const run = async (action) => {
    setBusy(action);
    try {
      const answer = await act(session, sub, action);
      setSub({ ...sub, ...answer });
      setNote(DONE[action]);
    } catch (failure) {
      setNote(failure.message);
    }
    setBusy(null);
  };
  return (
    <li className="sub-card" data-testid="subscription" data-id={sub.id}>
      <div className="sub-head">
        <h3 className="plan-name" data-testid="plan-name" tabIndex="-1">{shown.plan}</h3>
        <div className="badges">
          {shown.test && <span className="badge test" data-testid="test-badge">Test</span>}
          <span className={`badge ${shown.tone}`} data-testid="status">{shown.badge}</span>
        </div>
      </div>
      <p className="price" data-testid="price">{shown.price}</p>
      {shown.period && <p className="period" data-testid="period">{shown.period}</p>}
      <p className="action-status" role="status" data-testid="action-done">{note}</p>
      <div className="actions">
        {shown.actions.map(([action, label]) => (
          <button key={action} type="button" className="button secondary" data-testid={`action-${action}`}
            aria-label={`${label}: ${shown.plan} (${merchant})`} aria-busy={busy === action ? 'true' : undefined}
            onClick={() => run(action)}>{label}</button>
        ))}
      </div>
    </li>
  );
}

function Account({ answer }) {
  return (
    <main id="main" className="page">
      <div className="wide stack-lg" data-testid="subscriptions-page">
        <header className="account-bar">
          <div>
            <h1 className="title" tabIndex="-1">{TEXT.listTitle}</h1>
            <p className="muted" data-testid="account-name">Signed in as {answer.account.name || answer.account.email}</p>
          </div>
        </header>
        {(answer.subscriptions || []).map((group) => (
          <section key={group.tenantId} className="merchant" data-testid="merchant">
            <h2 className="merchant-name">{group.merchantName}</h2>
            <ul className="cards" role="list">
              {group.subscriptions.map((sub) => (
                <Card key={sub.id} session={answer.sessionToken} merchant={group.merchantName} initial={sub} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </main>
  );
}

function App() {
  const [answer, setAnswer] = useState(null);
  return answer ? <Account answer={answer} /> : <SignIn onSignedIn={setAnswer} />;
}

await loadConfig();
document.getElementById('boot')?.remove();
const mount = document.createElement('div');
document.body.append(mount);
createRoot(mount).render(<App />);
