/* Duro Portal in your page. Add the element and the script, from the portal's own site:
 *   <div data-duro-portal data-token="PORTAL-LINK-TOKEN" data-theme="light"></div>
 *   <script src="https://portal.example.com/embed.js" async></script>
 * The frame fits its content, and the portal's events arrive on the element as
 * `duro-portal:ready`, `duro-portal:signed-in`, `duro-portal:signed-out` and
 * `duro-portal:subscription-changed` (detail: { id, mode, status }). The token
 * (optional) is handed to the frame in a message, never in its address.
 * Plain JavaScript, no dependencies; see the README ("Embed in your site"). */
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const events = ['ready', 'signed-in', 'signed-out', 'subscription-changed'];
  const word = (v) => typeof v === 'string' && v.length > 0 && v.length <= 200;

  const mount = (element) => {
    if (element.querySelector('iframe[data-duro-frame]')) return;
    const frame = document.createElement('iframe');
    frame.src = origin + '/';
    frame.title = element.dataset.title || 'Your subscriptions';
    frame.dataset.duroFrame = '';
    // What the portal needs, and no more (the README says why for each).
    frame.setAttribute('sandbox',
      'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
    // Lets the portal address its hello to this page's origin (no path is sent).
    frame.referrerPolicy = 'origin';
    frame.style.display = 'block';
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = '420px';
    let token = element.dataset.token;

    const init = () => {
      const message = { source: 'duro-portal-host', type: 'init' };
      if (token) message.token = token;
      const theme = element.dataset.theme;
      if (theme === 'light' || theme === 'dark') message.theme = theme;
      if (frame.contentWindow) frame.contentWindow.postMessage(message, origin);
    };

    addEventListener('message', (event) => {
      const data = event.data;
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      if (!data || data.source !== 'duro-portal') return;
      if (data.type === 'hello') return init();
      if (data.type === 'height') {
        const height = data.height;
        if (Number.isInteger(height) && height > 0 && height <= 100000) {
          frame.style.height = height + 'px';
        }
        return;
      }
      if (!events.includes(data.type)) return;
      // The token is handed over once: a frame reloaded later does not need it.
      if (data.type === 'ready') token = undefined;
      let detail = {};
      if (data.type === 'subscription-changed') {
        if (!word(data.id) || !word(data.mode) || !word(data.status)) return;
        detail = { id: data.id, mode: data.mode, status: data.status };
      }
      element.dispatchEvent(new CustomEvent('duro-portal:' + data.type, { detail, bubbles: true }));
    });
    frame.addEventListener('load', init);
    element.append(frame);
  };

  const start = () => document.querySelectorAll('[data-duro-portal]').forEach(mount);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
