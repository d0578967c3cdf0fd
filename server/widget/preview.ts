/**
 * The banner preview: the served widget script itself, with a site's configuration (or a draft's), in a page the
 * dashboard frames. The page is sandboxed into an opaque origin, so it can set no cookie on the dashboard and
 * reach no collector; the shims below stand in for the storage and network the widget would use, so clicking
 * through it records nothing anywhere.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { Locale } from '../domain/consent.ts';
import type { SiteFeatures } from '../domain/sites.ts';
import type { WidgetSiteConfig } from '../contract.ts';
import { widgetScript } from './bundle.ts';

// Runs before the widget: a sandboxed document throws on cookie and storage access. The widget moves focus into
// its notice and dialog, which in a frame would take the admin's typing away from the form beside it; focus moves
// only once the admin works inside the frame.
const SHIMS = `(() => {
  const focus = HTMLElement.prototype.focus;
  HTMLElement.prototype.focus = function (options) { if (document.hasFocus()) focus.call(this, options); };
  const showModal = HTMLDialogElement.prototype.showModal;
  HTMLDialogElement.prototype.showModal = function () { if (document.hasFocus()) showModal.call(this); else this.show(); };
  Object.defineProperty(document, 'cookie', { get: () => '', set() {} });
  const memory = () => Object.create({ getItem: () => null, setItem() {}, removeItem() {} });
  Object.defineProperty(window, 'localStorage', { value: memory() });
  Object.defineProperty(window, 'sessionStorage', { value: memory() });
  window.fetch = () => Promise.resolve(new Response('{}', { status: 201 }));
  Object.defineProperty(navigator, 'sendBeacon', { value: () => true });
})();`;

const PAGE_CSS =
  'body{margin:0;min-height:100vh;font:15px/1.5 system-ui,sans-serif;color:#444;' +
  'background:repeating-linear-gradient(45deg,#f4f4f4 0 12px,#ececec 12px 24px)}main{padding:1rem}';

export async function previewPage(c: Context, config: WidgetSiteConfig, features: SiteFeatures, lang: Locale, layer: 'notice' | 'preferences'): Promise<Response> {
  const nonce = randomBytes(16).toString('base64');
  const script = await widgetScript(config, features);
  const opener = layer === 'preferences' ? 'window.Samtykke.open();' : '';
  c.header(
    'Content-Security-Policy',
    `sandbox allow-scripts; default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src http: https: data:; frame-ancestors 'self'`,
  );
  c.header('Cache-Control', 'no-store');
  return c.html(
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>Preview</title><style nonce="${nonce}">${PAGE_CSS}</style></head><body><main aria-hidden="true"></main>` +
      `<script nonce="${nonce}">${SHIMS}</script><script nonce="${nonce}">${script}</script>` +
      `<script nonce="${nonce}">${opener}</script></body></html>`,
  );
}
