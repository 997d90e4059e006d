/**
 * The server's long-lived identity: a self-signed certificate and its key in one PEM
 * file, made on first start (mode 0600) and read on every later one. Clients pin its
 * SHA-256 fingerprint. The certificate is a leaf (CA:FALSE) for the reserved name
 * `ferry.invalid`, which no public authority can issue.
 *
 * Making one uses `@peculiar/x509` over WebCrypto, loaded only then.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { RefusalError } from "../common/errors.ts";
import { checkPrivate, configDir } from "../common/places.ts";
import { describeError, quote } from "../common/text.ts";
import { IDENTITY_NAME, type TlsIdentity } from "../transport/tls.ts";

/** The identity file in the config folder. */
export function defaultIdentityPath(): string {
  return join(configDir(), "identity.pem");
}

/** An identity, and whether this call made it. */
export interface LoadedIdentity {
  identity: TlsIdentity;
  path: string;
  created: boolean;
}

/** Reads the identity at `path`, making it first if the file does not exist. */
export async function loadIdentity(path = defaultIdentityPath()): Promise<LoadedIdentity> {
  let text: string;
  let created = false;
  try {
    text = await Deno.readTextFile(path);
    await checkPrivate(path, "The identity file");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new RefusalError(`Cannot use the identity ${quote(path)}: ${describeError(error)}`);
    }
    text = await createIdentity(path);
    created = true;
  }
  const cert = pemBlock(text, "CERTIFICATE");
  const key = pemBlock(text, "PRIVATE KEY");
  if (!cert || !key) {
    throw new RefusalError(
      `Cannot use the identity ${quote(path)}: it needs a CERTIFICATE and a PRIVATE KEY in PEM`,
    );
  }
  return { identity: { cert, key, fingerprint: await fingerprint(cert) }, path, created };
}

/** Makes a new identity file at `path` (which must not exist) and returns its text. */
async function createIdentity(path: string): Promise<string> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await import("reflect-metadata"); // @peculiar/x509 needs it first.
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(crypto);
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const serial = Array.from(crypto.getRandomValues(new Uint8Array(16)), hex).join("");
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "7" + serial.slice(1), // Positive, as DER integers for serials must be.
    name: "CN=ferry server",
    notBefore: new Date(now - 24 * 3600_000),
    notAfter: new Date(now + 100 * 365 * 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: IDENTITY_NAME }]),
    ],
  });
  const key = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const text = `${cert.toString("pem")}\n${toPem(key, "PRIVATE KEY")}`;
  try {
    await Deno.writeTextFile(path, text, { createNew: true, mode: 0o600 });
  } catch (error) {
    throw new RefusalError(`Cannot create the identity ${quote(path)}: ${describeError(error)}`);
  }
  return text;
}

/** The first PEM block of `label` in `text`, whole. */
function pemBlock(text: string, label: string): string | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`).exec(text);
  return match?.[0];
}

function toPem(der: Uint8Array, label: string): string {
  const base64 = btoa(String.fromCharCode(...der)).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/** SHA-256 of a PEM certificate's DER bytes, lowercase hex: what clients pin. */
export async function fingerprint(certPem: string): Promise<string> {
  const base64 = certPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", der)), hex).join("");
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
