// The demo portal's own script: single-page navigation through the History API, which the widget counts as pageviews.
for (const link of document.querySelectorAll('[data-spa]')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    history.pushState(null, '', link.getAttribute('href'));
    document.getElementById('section').textContent = link.textContent;
  });
}
document.getElementById('track')?.addEventListener('click', () => window.Samtykke?.track('invoice_downloaded', { format: 'pdf' }));
