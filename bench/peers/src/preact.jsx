// The Preact peer: the same sign-in form (form.jsx) on Preact and its hooks.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { SignIn } from './form.jsx';
import { TEXT, loadConfig } from './common.js';

function App() {
  const [answer, setAnswer] = useState(null);
  if (!answer) return <SignIn onSignedIn={setAnswer} />;
  return (
    <main id="main" className="page">
      <h1 className="title">{TEXT.listTitle}</h1>
    </main>
  );
}

await loadConfig();
document.getElementById('boot')?.remove();
const mount = document.createElement('div');
document.body.append(mount);
render(<App />, mount);
