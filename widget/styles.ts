/**
 * The banner's stylesheet for one site's theme, composed by the server into the site's script (only the rules of
 * the site's position, and of a logo when it has one, travel). It goes into the shadow root as a constructed
 * stylesheet: a strict CSP allows that without 'unsafe-inline', the page's rules cannot reach in, and ours cannot
 * leak out. Every button shares one rule, so accept, reject and choose look alike whatever the theme; the server
 * refuses colours failing WCAG AA. Sizes are in px: rem would follow the page's root font size into our layout.
 */
import type { BannerPosition, BannerTheme } from '../server/domain/banner.ts';

const POSITION_CSS: Record<BannerPosition, string> = {
  bar: 'inset:auto 0 0;border-width:1px 0 0;border-radius:0;padding:20px max(16px,50% - 480px)',
  box: 'left:50%;top:50%;transform:translate(-50%,-50%);width:min(576px,100% - 32px);max-height:calc(100% - 32px);overflow:auto;box-shadow:0 0 0 100vmax #0008',
  // Narrow, so the buttons always stack (at full, equal width).
  corner: 'inset:auto 16px 16px;max-width:384px;margin-left:auto}.n .r{flex-direction:column',
};

/** `#aabbcc` as `#abc` where it can be: the script is weighed in bytes. */
const short = (hex: string): string => hex.replace(/^#(.)\1(.)\2(.)\3$/, '#$1$2$3');

export function bannerCss(theme: BannerTheme): string {
  const { radius } = theme;
  const [accent, background, text] = [theme.accent, theme.background, theme.text].map(short);
  return (
    ':host{all:initial}' +
    `.n,dialog{font:15px/1.5 system-ui,sans-serif;color:${text};background:${background};box-sizing:border-box;padding:20px;border:1px solid ${text};border-radius:${radius}px}` +
    `.n{position:fixed;z-index:2147483647;${POSITION_CSS[theme.position]}}` +
    'dialog{width:min(576px,100% - 32px)}' +
    (theme.logoUrl ? 'img{display:block;max-height:40px;max-width:192px;margin-bottom:12px}' : '') +
    'h2{font-size:18px;margin:0 0 8px}' +
    'p{margin:0 0 12px}' +
    `a{color:${accent}}` +
    // Side by side at equal widths, or stacked at full width on narrow screens: never one button wider than another.
    '.r{display:flex;gap:8px}@media(max-width:544px){.r{flex-direction:column}}' +
    `button{flex:1;font:inherit;font-weight:600;padding:10px 16px;border:0;border-radius:${Math.min(radius, 12)}px;background:${accent};color:${background}}` +
    `:focus-visible{outline:3px solid ${text};outline-offset:2px}` +
    `.c{border-top:1px solid ${theme.text}4d;padding:12px 0}` +
    'label{display:flex;gap:8px;align-items:center;font-weight:600}' +
    `input{width:20px;height:20px;margin:0;accent-color:${accent}}` +
    '.c p{margin:4px 0 0 28px}'
  );
}
