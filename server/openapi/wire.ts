/**
 * Ties a response schema to the TypeScript wire type the route answers with, so the compiler refuses the two apart:
 * a field added to, removed from or retyped in either one is a type error here, not a document that quietly lies.
 */
import type { z } from 'zod';
import type { Wire } from '../admin/contract.ts';

/** True when the schema's output and the wire type are assignable both ways (the same shape, give or take readonly). */
type SameShape<S extends z.ZodType, T> = [Wire<T>] extends [z.output<S>] ? ([z.output<S>] extends [Wire<T>] ? true : false) : false;

/**
 * `wire<SiteSummary>()(z.object({...}))`: returns the schema unchanged. When the schema and `Wire<T>` differ the call
 * asks for a second argument that cannot be given ("Expected 2 arguments"): compare the two field by field.
 */
export function wire<T>() {
  return <S extends z.ZodType>(schema: S, ...differs: SameShape<S, T> extends true ? [] : [schemaAndWireTypeDiffer: never]): S => {
    void differs;
    return schema;
  };
}
