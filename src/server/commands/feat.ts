/**
 * `feat`: agree on extensions (PROTOCOL.md §9). The client offers what it can use;
 * the answer is the part this server supports too, on from now on.
 *
 * @module
 */

import { agree, type Offer } from "../../protocol/features.ts";
import type { CommandContext, Reply } from "../command_context.ts";

/**
 * Answers an offer with what both sides support; `resume` only with `frames`, whose
 * payloads it continues (PROTOCOL.md §19).
 */
export function agreeFeatures(context: CommandContext, offer: Offer): Promise<Reply> {
  const agreed = agree(offer, context.supported);
  const features = agreed.has("frames") ? agreed : agreed.without("resume");
  return Promise.resolve({
    kind: "agreed",
    features,
    outcome: { result: `ok: ${features.toString() || "no features in common"}` },
  });
}
