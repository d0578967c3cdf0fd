/**
 * A visit's trail: its pageviews and custom events in order, folded into one text at ingest so that goals with a
 * pattern or a property, and ordered funnels, are a text search over each visit in scope rather than a read of
 * its events.
 *
 * Each event is an element: U+001E, then `p` and the path followed by U+001D, or `e` and the event name followed by
 * U+001F, each property as key=value followed by U+001F (in key order), then U+001D; last, the event's time as 13
 * digits of epoch milliseconds, which orders the elements. The separators are removed from the values. A trail
 * keeps the first TRAIL_LIMIT events of a visit: a goal or funnel step later than that in a very long visit is not
 * seen.
 *
 * Most goals are a plain substring of the element they match (a path, a path ending in `*`, an event name), found
 * with LIKE, which is many times faster than a regular expression here; a funnel of such goals is one LIKE with `%`
 * between the steps. A `*` inside a path, or a property, needs a regular expression, kept free of lookaheads (the
 * element's separators end each field instead).
 */
import { sql, type RawBuilder } from 'kysely';
import { PATH_WILDCARD, type Goal } from '../domain/goals.ts';

export const TRAIL_LIMIT = 200;

const ELEMENT_START = '\u001e';
const FIELD_END = '\u001f';
const ITEM_END = '\u001d';

const clean = (value: string) => `translate(${value}, E'\\x1d\\x1e\\x1f', '')`;

/** The element of one event of alias `e` (the events table's columns). */
const ELEMENT = sql.raw(`E'\\x1e' || case when e.type = 'pageview'
    then 'p' || ${clean('e.path')}
    else 'e' || ${clean('e.name')} || E'\\x1f' || coalesce((select string_agg(${clean('p.key')} || '=' || ${clean('p.value')} || E'\\x1f', '' order by p.key collate "C")
      from jsonb_each_text(e.props) as p), '') end
  || E'\\x1d' || lpad(floor(extract(epoch from e.occurred_at) * 1000)::bigint::text, 13, '0')`);

/** Elements in time order (then by their text, for events at the same millisecond). */
const inOrder = (element: string) => sql.raw(`right(${element}, 13), ${element} collate "C"`);

/** One row per visit of `e` (a relation with the events' columns): its site, session and trail. */
export const TRAILS = sql`select e.site_id, e.session_id, array_to_string((array_agg(e.x order by ${inOrder('e.x')}))[1:${sql.lit(TRAIL_LIMIT)}], '') as trail
  from (select e.site_id, e.session_id, ${ELEMENT} as x from e) as e group by e.site_id, e.session_id`;

/** Two trails of one visit as one, in time order, capped: a batch that continues a visit, or arrived late. */
export function mergedTrails(old: string, added: string): RawBuilder<unknown> {
  const elements = (column: string) => sql.raw(`unnest(string_to_array(${column}, E'\\x1e'))`);
  return sql`(select coalesce(string_agg(E'\\x1e' || t.x, '' order by ${inOrder('t.x')}), '')
    from (
      select u.x from (select ${elements(old)} as x union all select ${elements(added)}) as u
      where u.x <> '' order by ${inOrder('u.x')} limit ${sql.lit(TRAIL_LIMIT)}
    ) as t)`;
}

/** Whether a goal is a substring of the elements it matches: no `*` inside a path, no property. */
export function isSubstringGoal(goal: Goal): boolean {
  return goal.kind === 'event' ? goal.property === null : !goal.path.slice(0, -1).includes(PATH_WILDCARD);
}

/** The substring of every element a substring goal matches (a path ending in `*` is the start of the element). */
export function goalSubstring(goal: Goal): string {
  if (goal.kind === 'event') return `${ELEMENT_START}e${goal.eventName}${FIELD_END}`;
  return goal.path.endsWith(PATH_WILDCARD) ? `${ELEMENT_START}p${goal.path.slice(0, -1)}` : `${ELEMENT_START}p${goal.path}${ITEM_END}`;
}

/** A literal in a PostgreSQL regular expression (ARE): every ASCII punctuation that means something is escaped. */
const literal = (text: string) => text.replace(/[\\^$.|?*+()[\]{}]/g, (character) => `\\${character}`);

/** A regular expression matching each element of a trail that is the goal. */
export function goalPattern(goal: Goal): string {
  if (goal.kind === 'pageview') return `${ELEMENT_START}p${goal.path.split(PATH_WILDCARD).map(literal).join(`[^${ITEM_END}]*`)}${ITEM_END}`;
  const name = `${ELEMENT_START}e${literal(goal.eventName)}${FIELD_END}`;
  if (!goal.property) return name;
  return `${name}(?:[^${FIELD_END}${ITEM_END}]*${FIELD_END})*${literal(`${goal.property.key}=${goal.property.value}`)}${FIELD_END}`;
}

/** A LIKE pattern of text: its wildcards and escape character match themselves. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** Whether a trail (`trail`, a column reference) has the goals in this order, each in a later element than the one before. */
export function hasSequence(trail: RawBuilder<unknown>, goals: readonly Goal[]): RawBuilder<boolean> {
  if (goals.every(isSubstringGoal)) return sql<boolean>`${trail} like ${`%${goals.map((goal) => likeLiteral(goalSubstring(goal))).join('%')}%`}`;
  return sql<boolean>`${trail} ~ ${goals.map(goalPattern).join('.*')}`;
}

/** How many elements of a trail (`trail`, a column reference) are the goal. */
export function goalCount(trail: RawBuilder<unknown>, goal: Goal): RawBuilder<number> {
  if (!isSubstringGoal(goal)) return sql<number>`regexp_count(${trail}, ${goalPattern(goal)})`;
  const needle = goalSubstring(goal);
  // A substring's occurrences, counted by what removing them takes away: plain string functions, no pattern.
  return sql<number>`((char_length(${trail}) - char_length(replace(${trail}, ${needle}, ''))) / char_length(${needle}))`;
}
