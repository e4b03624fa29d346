/**
 * One Iris (one worker, one GPU device) for every Iris element on the page. The worker loads each model
 * once and runs requests in order, so two <iris-classify> elements with the same model share its weights.
 */
import { createIris, type CreateIrisOptions, type Iris } from '../index';

let shared: Promise<Iris> | undefined;
let options: CreateIrisOptions = {};

/** Options for the page's Iris (e.g. a Hub mirror as baseUrl); call before the first element runs. */
export function configureIris(next: CreateIrisOptions): void {
  if (shared) throw new Error('configureIris() must be called before the first Iris element starts.');
  options = next;
}

/** The page's Iris, created on first use. */
export function getIris(): Promise<Iris> {
  shared ??= createIris(options);
  return shared;
}
