/** The link back DB-IP's licence (CC BY 4.0) asks of pages that show results from its country database. */
import { t } from '../i18n.ts';

export function CountryAttribution() {
  return (
    <p class="note">
      <a href="https://db-ip.com" target="_blank" rel="noopener">
        {t('countryAttribution')}
      </a>
    </p>
  );
}
