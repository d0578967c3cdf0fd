// Stand-in for a third-party usage-analytics script: when (and only when) it runs, it sets the cookie and the
// local-storage key the demo inventory declares under `analytics`, so blocking and deletion can be seen.
(() => {
  const thirteenMonths = 13 * 30 * 24 * 3600;
  document.cookie = `_pa_id=${Math.random().toString(36).slice(2)};path=/;max-age=${thirteenMonths};SameSite=Lax`;
  localStorage.setItem('portal_analytics_queue', JSON.stringify([{ page: location.pathname, at: Date.now() }]));
  window.portalAnalytics = { runs: (window.portalAnalytics?.runs ?? 0) + 1 };
  const status = document.getElementById('analytics-status');
  if (status) status.textContent = 'kjører (informasjonskapselen _pa_id og portal_analytics_queue er satt)';
})();
