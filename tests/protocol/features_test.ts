import { assertEquals } from "../support/assert.ts";
import {
  acceptAnswer,
  agree,
  BASE_FEATURES,
  type Feature,
  FeatureSet,
  formatOffer,
  type Offer,
  offerOf,
  parseOffer,
} from "../../src/protocol/features.ts";

const ABORT: Feature = { name: "abort" };
const DIGEST: Feature = { name: "digest", values: ["xxh128", "sha256"] };

/** A set's features as plain data, in order, for whole-value comparison. */
const entries = (set: FeatureSet | string) =>
  typeof set === "string" ? set : parseOffer(set.toString());

function offer(text: string): Offer {
  const parsed = parseOffer(text);
  if (typeof parsed === "string") throw new Error(`Test offer ${text} is bad: ${parsed}`);
  return parsed;
}

Deno.test("`BASE_FEATURES` has nothing on", () => {
  assertEquals(BASE_FEATURES.size, 0);
  assertEquals(BASE_FEATURES.has("abort"), false);
  assertEquals(BASE_FEATURES.toString(), "");
});

Deno.test("`FeatureSet` answers which features are on and their values", () => {
  const set = new FeatureSet([["abort", undefined], ["digest", "sha256"]]);
  assertEquals(set.size, 2);
  assertEquals(set.has("abort"), true);
  assertEquals(set.value("abort"), undefined);
  assertEquals(set.has("digest"), true);
  assertEquals(set.value("digest"), "sha256");
  assertEquals(set.has("resume"), false);
  assertEquals(set.value("resume"), undefined);
});

Deno.test("`FeatureSet.toString()` writes `feat` tokens", () => {
  assertEquals(
    new FeatureSet([["abort", undefined], ["digest", "sha256"]]).toString(),
    "abort digest=sha256",
  );
  assertEquals(new FeatureSet().toString(), "");
});

Deno.test("`FeatureSet.toString()` round-trips through `parseOffer()`", () => {
  const set = new FeatureSet([["digest", "sha256"], ["abort", undefined], ["z-9", "0"]]);
  assertEquals(set.toString(), "digest=sha256 abort z-9=0");
  const parsed = offer(set.toString());
  assertEquals(parsed, new Map([["digest", ["sha256"]], ["abort", []], ["z-9", ["0"]]]));
  const back = new FeatureSet([...parsed].map(([name, values]) => [name, values[0]] as const));
  assertEquals(back.toString(), set.toString());
  assertEquals([back.value("digest"), back.has("abort"), back.value("z-9")], ["sha256", true, "0"]);
  assertEquals(offer(new FeatureSet().toString()), new Map());
});

Deno.test("`offerOf()` lists every feature with its values, in order", () => {
  assertEquals(
    offerOf([ABORT, DIGEST]),
    new Map([["abort", []], ["digest", ["xxh128", "sha256"]]]),
  );
  assertEquals(offerOf([]), new Map());
});

Deno.test("`formatOffer()` writes names and name=value,... tokens", () => {
  assertEquals(formatOffer(offerOf([ABORT, DIGEST])), "abort digest=xxh128,sha256");
  assertEquals(formatOffer(new Map()), "");
  assertEquals(formatOffer(new Map([["digest", ["sha256"]]])), "digest=sha256");
});

Deno.test("`parseOffer()` reads what `formatOffer()` writes", () => {
  const original = offerOf([ABORT, DIGEST, { name: "level", values: ["1", "2-fast"] }]);
  assertEquals(parseOffer(formatOffer(original)), original);
});

Deno.test("`parseOffer()` reads names and name=value,... tokens", () => {
  assertEquals(parseOffer(""), new Map());
  assertEquals(parseOffer("abort"), new Map([["abort", []]]));
  assertEquals(
    parseOffer("abort digest=xxh128,sha256"),
    new Map([["abort", []], ["digest", ["xxh128", "sha256"]]]),
  );
  assertEquals(
    parseOffer("  abort   digest=sha256 "),
    new Map([["abort", []], ["digest", ["sha256"]]]),
  );
  assertEquals(parseOffer("a-1 b=0,x-y"), new Map([["a-1", []], ["b", ["0", "x-y"]]]));
  assertEquals(parseOffer("a".repeat(32)), new Map([["a".repeat(32), []]]));
});

Deno.test("`parseOffer()` keeps the last of a repeated name", () => {
  assertEquals(parseOffer("digest=xxh128 digest=sha256"), new Map([["digest", ["sha256"]]]));
});

Deno.test("`parseOffer()` rejects tokens that are not a name or name=value,...", () => {
  for (
    const bad of [
      "Abort",
      "1abort",
      "-abort",
      "ab_ort",
      "abörť",
      "=sha256",
      "digest=",
      "digest=a,,b",
      "digest=a,",
      "digest=,a",
      "digest=SHA256",
      "digest=-x",
      "a=b=c",
      "a\tb",
      "a".repeat(33),
      `digest=${"v".repeat(33)}`,
    ]
  ) {
    assertEquals(
      parseOffer(`abort ${bad}`),
      `Feature ${JSON.stringify(bad).replace("\\t", "\\u0009")} is not a name or name=value,...`,
    );
  }
});

Deno.test("`parseOffer()` cuts a long bad token at 40 characters in its message", () => {
  assertEquals(
    parseOffer("X".repeat(100)),
    `Feature "${"X".repeat(40)}..." is not a name or name=value,...`,
  );
});

Deno.test("`parseOffer()` refuses more than 64 tokens", () => {
  const tokens = Array.from({ length: 64 }, (_, i) => `f${i}`);
  assertEquals((parseOffer(tokens.join(" ")) as Offer).size, 64);
  assertEquals(parseOffer([...tokens, "f64"].join(" ")), "Feature list has over 64 entries");
});

Deno.test("`agree()` picks the first client-preferred value the server supports", () => {
  const server: Feature[] = [{ name: "digest", values: ["sha256", "xxh128"] }];
  assertEquals(entries(agree(offer("digest=xxh128,sha256"), server)), offer("digest=xxh128"));
  assertEquals(entries(agree(offer("digest=sha256,xxh128"), server)), offer("digest=sha256"));
  assertEquals(entries(agree(offer("digest=blake3,sha256"), server)), offer("digest=sha256"));
  assertEquals(agree(offer("digest=xxh128,sha256"), server).value("digest"), "xxh128");
});

Deno.test("`agree()` turns on a flag feature offered as a flag", () => {
  const agreed = agree(offer("abort"), [ABORT, DIGEST]);
  assertEquals(entries(agreed), offer("abort"));
  assertEquals(agreed.has("abort"), true);
  assertEquals(agreed.value("abort"), undefined);
});

Deno.test("`agree()` drops features the server does not know", () => {
  assertEquals(entries(agree(offer("resume abort zstd=1"), [ABORT])), offer("abort"));
  assertEquals(agree(offer("resume zstd=1"), [ABORT, DIGEST]).size, 0);
});

Deno.test("`agree()` drops features the client did not offer", () => {
  assertEquals(entries(agree(offer("abort"), [ABORT, DIGEST])), offer("abort"));
  assertEquals(agree(new Map(), [ABORT, DIGEST]).size, 0);
});

Deno.test("`agree()` drops a choice with no value in common", () => {
  assertEquals(agree(offer("digest=blake3,md5"), [DIGEST]).size, 0);
});

Deno.test("`agree()` drops a feature offered in the wrong shape", () => {
  // A flag offered with values, and a choice offered as a bare flag.
  assertEquals(agree(offer("abort=yes digest"), [ABORT, DIGEST]).size, 0);
});

Deno.test("`agree()` agrees on everything both sides know", () => {
  const agreed = agree(offer("digest=sha256,xxh128 resume abort"), [ABORT, DIGEST]);
  assertEquals(agreed.size, 2);
  assertEquals(agreed.value("digest"), "sha256");
  assertEquals(agreed.has("abort"), true);
  assertEquals(agreed.has("resume"), false);
});

Deno.test("`acceptAnswer()` reads the server's agreement", () => {
  const agreed = acceptAnswer(offer("abort digest=sha256"), [ABORT, DIGEST]);
  assertEquals(entries(agreed), offer("abort digest=sha256"));
  assertEquals(entries(acceptAnswer(new Map(), [ABORT, DIGEST])), new Map());
});

Deno.test("`acceptAnswer()` takes what `agree()` answered", () => {
  const client = [ABORT, DIGEST];
  const agreed = agree(offerOf(client), [DIGEST, ABORT, { name: "resume" }]);
  assertEquals(entries(acceptAnswer(offer(agreed.toString()), client)), entries(agreed));
});

Deno.test("`acceptAnswer()` rejects what the client did not offer that way", () => {
  for (
    const [answer, name] of [
      ["resume", "resume"], // Not offered at all.
      ["digest=blake3", "digest"], // A value not offered.
      ["digest", "digest"], // A choice without its value.
      ["digest=sha256,xxh128", "digest"], // More than one value.
      ["abort=yes", "abort"], // A flag with a value.
    ]
  ) {
    assertEquals(
      acceptAnswer(offer(answer), [ABORT, DIGEST]),
      `The server agreed to "${name}", which was not offered that way`,
    );
  }
});
