/**
 * A page of a list. Controllers return it and the API's envelope interceptor renders the list
 * envelope `{code:"0", data, total, current, page_size}`.
 */
export class Paged<T> {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly current: number,
    readonly pageSize: number,
  ) {}
}
