import type { Types } from "effect"

/**
 * An empty instance of a Schema class, for the hot constructors (`VehicleParked.of`, `Money.of`, ...)
 * to fill in field by field.
 *
 * Why: `new C(props, true)` skips validation but still copies the props twice and walks every field
 * for defaults, about 4 us a call on this machine, which was most of a park at a million slots. An
 * object made here has the class's prototype, so `instanceof`, `Equal`, `Hash`, `Schema.is` and
 * encoding treat it as they treat one made by `new`, once the caller has set the same own fields in
 * the same order (`_tag` last for tagged classes). Nothing is checked: callers pass fields they have
 * already validated, and `test/domain/UncheckedInstance.test.ts` holds each such constructor to `new`.
 */
export const uncheckedInstance = <A extends object>(klass: { readonly prototype: A }): Types.Mutable<A> => Object.create(klass.prototype)
