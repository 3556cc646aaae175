/**
 * The `scimType` values of RFC 7644 §3.12, with the one HTTP status each belongs to.
 * A status and scimType that do not belong together are a programmer error, so the pair is
 * derived from the scimType rather than chosen at each throw site.
 */
export const scimTypeStatus = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
} as const;

export type ScimType = keyof typeof scimTypeStatus;

export const errorSchemaUrn = "urn:ietf:params:scim:api:messages:2.0:Error";

/** The SCIM error response body (RFC 7644 §3.12): `status` is a string. */
export interface ScimErrorBody {
  schemas: [typeof errorSchemaUrn];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** A failure that is safe to show to the SCIM client as it is. */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;

  private constructor(status: number, scimType: ScimType | undefined, detail: string) {
    super(detail);
    this.name = "ScimError";
    this.status = status;
    this.scimType = scimType;
  }

  /** A 400/409/403 error with the RFC's scimType; the status follows from the type. */
  static of(scimType: ScimType, detail: string): ScimError {
    return new ScimError(scimTypeStatus[scimType], scimType, detail);
  }

  /** An error the RFC gives no scimType for (401, 403, 404, 405, 406, 412, 413, 415, 500, 501, 503). */
  static status(status: 401 | 403 | 404 | 405 | 406 | 412 | 413 | 415 | 500 | 501 | 503, detail: string): ScimError {
    return new ScimError(status, undefined, detail);
  }

  get detail(): string {
    return this.message;
  }

  toBody(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [errorSchemaUrn], status: String(this.status), detail: this.message };
    if (this.scimType !== undefined) body.scimType = this.scimType;
    return body;
  }
}
