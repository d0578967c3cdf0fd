import { PGlite } from '@electric-sql/pglite';
const a = await PGlite.create('/tmp/pgl-test');
await a.query('create table if not exists t(x int)');
await a.query('insert into t values (1)');
const b = await PGlite.create('/tmp/pgl-test');
console.log((await b.query('select count(*) from t')).rows);
await b.query('insert into t values (2)');
console.log((await a.query('select count(*) from t')).rows);
