/** Downloads what a panel shows as CSV; the server sends the file with the session's cookie, so a link suffices. */
import { t } from '../i18n.ts';

export function ExportLink({ href, title }: { href: string; title: string }) {
  return (
    <a class="export-link" href={href} download aria-label={t('exportCsvOf', { name: title })}>
      CSV
    </a>
  );
}
