/**
 * The one way ferry peers agree on extensions to the base protocol (PROTOCOL.md §9).
 *
 * The client sends `feat` with everything it can use, in order of preference; the
 * server answers `ok` with the part it supports too, and from then on both use
 * exactly that. A base-protocol server refuses `feat` like any unknown command, so a
 * client that only sends it when the user asks for an extension never shows a base
 * peer anything it does not understand. A feature is a name (`abort`), or a name
 * with one value chosen from a list (`digest=xxh128,sha256` offered, `digest=sha256`
 * agreed): the server takes the first value it supports.
 *
 * @module
 */

import { quote } from "../common/text.ts";

/** An extension a peer can offer: its name, and for a choice, the values it knows. */
export interface Feature {
  readonly name: string;
  /** For a feature that is a choice: the values, most preferred first. */
  readonly values?: readonly string[];
}

/** Feature names and values: short lowercase words, so they stay readable on the wire. */
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const VALUE = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** No offer needs more; a longer one is someone probing the parser. */
const MAX_TOKENS = 64;

/** What a session agreed: the features on, each with its chosen value if it has one. */
export class FeatureSet {
  readonly #values: ReadonlyMap<string, string | undefined>;

  constructor(entries: Iterable<readonly [string, string | undefined]> = []) {
    this.#values = new Map(entries);
  }

  /** Whether `name` is on. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The value agreed for `name`, if it is on and is a choice. */
  value(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** The same features but `name`. */
  without(name: string): FeatureSet {
    return new FeatureSet([...this.#values].filter(([feature]) => feature !== name));
  }

  /** How many features are on. */
  get size(): number {
    return this.#values.size;
  }

  /** The features as `feat` tokens: `abort digest=sha256`. */
  toString(): string {
    return formatOffer(
      new Map([...this.#values].map(([name, value]) => [name, value ? [value] : []])),
    );
  }
}

/** A session before (or without) `feat`: the base protocol plus ferry's additions. */
export const BASE_FEATURES: FeatureSet = new FeatureSet();

/** An offer: each offered feature's name with its values, most preferred first. */
export type Offer = ReadonlyMap<string, readonly string[]>;

/** A client's offer: every feature it can use. */
export function offerOf(features: readonly Feature[]): Offer {
  return new Map(features.map((feature) => [feature.name, feature.values ?? []]));
}

/** Formats an offer (or an answer) as `feat` tokens: `abort digest=xxh128,sha256`. */
export function formatOffer(offer: Offer): string {
  return [...offer].map(([name, values]) => values.length ? `${name}=${values.join(",")}` : name)
    .join(" ");
}

/** Parses the tokens of a `feat` command or its `ok` answer; a string is the problem. */
export function parseOffer(text: string): Offer | string {
  const offer = new Map<string, string[]>();
  const tokens = text.split(" ").filter((token) => token !== "");
  if (tokens.length > MAX_TOKENS) return `Feature list has over ${MAX_TOKENS} entries`;
  for (const token of tokens) {
    const [name, list, ...rest] = token.split("=");
    const values = list === undefined ? [] : list.split(",");
    if (!NAME.test(name) || rest.length > 0 || (list !== undefined && !values.every(isValue))) {
      return `Feature ${quote(token, 40)} is not a name or name=value,...`;
    }
    offer.set(name, values);
  }
  return offer;
}

function isValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * What the server agrees to: each offered feature it supports, with the first offered
 * value it supports. Features either side does not know are left out, so an older
 * peer and a newer one agree on what both know.
 */
export function agree(offer: Offer, supported: readonly Feature[]): FeatureSet {
  const agreed: [string, string | undefined][] = [];
  for (const feature of supported) {
    const offered = offer.get(feature.name);
    if (offered === undefined) continue;
    if (!feature.values) {
      if (offered.length === 0) agreed.push([feature.name, undefined]);
      continue;
    }
    const choice = offered.find((value) => feature.values!.includes(value));
    if (choice !== undefined) agreed.push([feature.name, choice]);
  }
  return new FeatureSet(agreed);
}

/**
 * Reads the server's answer as the client: the features on. Anything the client did
 * not offer, or a value it did not list, is the server breaking the rule above.
 */
export function acceptAnswer(answer: Offer, offered: readonly Feature[]): FeatureSet | string {
  const agreed: [string, string | undefined][] = [];
  for (const [name, values] of answer) {
    const feature = offered.find((f) => f.name === name);
    const value = values[0];
    const fits = feature !== undefined && values.length <= 1 &&
      (feature.values
        ? value !== undefined && feature.values.includes(value)
        : value === undefined);
    if (!fits) return `The server agreed to ${quote(name)}, which was not offered that way`;
    agreed.push([name, value]);
  }
  return new FeatureSet(agreed);
}
