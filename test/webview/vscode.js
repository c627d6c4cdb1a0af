// What VS Code provides a webview, faked: theme variables (set through the
// CSSOM, as VS Code does, so the CSP's style-src is not involved), the theme
// class on <body>, and acquireVsCodeApi whose messages go to the test.
(function () {
  const theme = window.__hiTheme || { kind: 'vscode-dark', vars: {} };
  for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
  document.body.classList.add(theme.kind);
  document.body.dataset.vscodeThemeKind = theme.kind;
  window.__posted = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage(msg) {
      window.__posted.push(msg);
      if (window.__hiPost) window.__hiPost(msg);
    },
    getState: () => state,
    setState: (s) => { state = s; },
  });
})();
