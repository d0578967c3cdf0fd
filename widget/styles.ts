/**
 * The banner's styles. They live in a shadow root as a constructed stylesheet: a strict CSP allows that without
 * 'unsafe-inline', the page's rules cannot reach in, and ours cannot leak out. Colours meet WCAG AA contrast.
 */
export const BANNER_CSS =
  ':host{all:initial}' +
  '.n,dialog{font:15px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;box-sizing:border-box;padding:1.25rem;border:1px solid #767676;border-radius:8px}' +
  '.n{position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-width:38rem;margin:auto}' +
  'dialog{width:calc(100% - 2rem);max-width:36rem}' +
  'h2{font-size:1.15rem;margin:0 0 .5rem}' +
  'p{margin:0 0 .75rem}' +
  'a{color:#0b57a4}' +
  '.r{display:flex;flex-wrap:wrap;gap:.5rem}' +
  'button{flex:1 1 auto;font:inherit;font-weight:600;padding:.6rem 1rem;border:0;border-radius:6px;background:#1f3a5f;color:#fff;cursor:pointer}' +
  ':focus-visible{outline:3px solid #c43f00;outline-offset:2px}' +
  '.c{border-top:1px solid #ccc;padding:.75rem 0}' +
  'label{display:flex;gap:.5rem;align-items:center;font-weight:600}' +
  'input{width:1.25rem;height:1.25rem;margin:0}' +
  '.c p{margin:.25rem 0 0 1.75rem}';
