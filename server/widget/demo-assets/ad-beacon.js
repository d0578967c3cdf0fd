// The ad-conversion web beacon: held back until `ads` is allowed, and it asks again on every click, so a
// withdrawal stops it at once.
(() => {
  const button = document.getElementById('buy');
  const site = document.documentElement.dataset.site;
  button?.addEventListener('click', () => {
    if (!window.Samtykke?.get()?.ads) return;
    const query = new URLSearchParams({ site, cid: window.Samtykke.consentId, url: location.href, name: 'ad-conversion' });
    new Image(1, 1).src = `/p.gif?${query}`;
  });
})();
