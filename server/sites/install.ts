/**
 * What a site's developer pastes, built from the site and the address the server is reached at. The dashboard's
 * install page shows these as they are (with copy buttons and its own explanations), so nothing is retyped by hand.
 */
import type { Site } from '../domain/sites.ts';

export type SnippetId =
  | 'tag'
  | 'csp'
  | 'heldScript'
  | 'pixel'
  | 'iframe'
  | 'settingsButton'
  | 'declarationEmbed'
  | 'appConsent'
  | 'appEvents';

export interface Snippet {
  readonly id: SnippetId;
  readonly code: string;
}

export interface InstallGuide {
  readonly siteKey: string;
  readonly surface: Site['surface'];
  /** The address the snippets point at (SAMTYKKE_PUBLIC_URL): the server as the site's visitors reach it. */
  readonly publicUrl: string;
  readonly scriptUrl: string;
  readonly declarationUrl: string;
  readonly snippets: readonly Snippet[];
}

function webSnippets(site: Site, publicUrl: string, scriptUrl: string): Snippet[] {
  const pixel = `${publicUrl}/p.gif?site=${site.key}&cid={cid}&url={url}&name=ad-impression`;
  return [
    { id: 'tag', code: `<script src="${scriptUrl}" async></script>` },
    // The widget loads from, sends to and (for the pixel) shows images from the Samtykke origin; styles live in a shadow root.
    { id: 'csp', code: `script-src ${publicUrl}; connect-src ${publicUrl}; img-src ${publicUrl}` },
    { id: 'heldScript', code: '<script type="text/plain" data-category="analytics" src="https://example.com/analytics.js"></script>' },
    { id: 'pixel', code: `<img data-category="ads" data-src="${pixel}" alt="" width="1" height="1">` },
    { id: 'iframe', code: '<iframe data-category="ads" data-src="https://www.youtube-nocookie.com/embed/VIDEO_ID" title="Video"></iframe>' },
    { id: 'settingsButton', code: '<button type="button" data-samtykke-open>Innstillinger for informasjonskapsler</button>' },
    // The embed's own script, served only while the site has the declaration embed feature on; lang picks its locale.
    {
      id: 'declarationEmbed',
      code: `<div data-samtykke-declaration></div>\n<script src="${publicUrl}/sites/${site.key}/declaration.js?lang=nb" async></script>`,
    },
  ];
}

function appSnippets(site: Site, publicUrl: string): Snippet[] {
  const consent = {
    site: site.key,
    consentId: 'CONSENT_ID_KEPT_ON_THE_DEVICE',
    policyVersion: 1,
    choices: { functional: true, analytics: true, ads: false },
    action: 'custom',
    source: 'app',
    locale: 'nb',
  };
  const events = {
    site: site.key,
    consentId: 'CONSENT_ID_KEPT_ON_THE_DEVICE',
    events: [{ type: 'pageview', url: 'https://app.example/min-side/abonnement' }],
  };
  const curl = (path: string, body: unknown) =>
    `curl -X POST ${publicUrl}${path} \\\n  -H 'content-type: application/json' \\\n  -d '${JSON.stringify(body)}'`;
  return [
    { id: 'appConsent', code: curl('/api/consent', consent) },
    { id: 'appEvents', code: curl('/api/events', events) },
  ];
}

export function installGuide(site: Site, publicUrl: string): InstallGuide {
  const scriptUrl = `${publicUrl}/sites/${site.key}/widget.js`;
  return {
    siteKey: site.key,
    surface: site.surface,
    publicUrl,
    scriptUrl,
    declarationUrl: `${publicUrl}/sites/${site.key}/cookies`,
    snippets: site.surface === 'web' ? webSnippets(site, publicUrl, scriptUrl) : appSnippets(site, publicUrl),
  };
}
