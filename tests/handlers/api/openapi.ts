// Checks HTTP responses against handlers/api/openapi.yaml: the status is one
// the operation documents, the media type is the documented one, required
// headers are there and the body validates against the schema (JSON Schema
// 2020-12, as OpenAPI 3.1 uses, with ajv and ajv-formats).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { REPO_ROOT } from "../../../cli/repo-root";

interface MediaType {
  schema: { $ref?: string };
}
interface ResponseSpec {
  $ref?: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseSpec>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, ResponseSpec> };
}

export const OPENAPI_PATH = join(REPO_ROOT, "handlers", "api", "openapi.yaml");
const doc = parse(readFileSync(OPENAPI_PATH, "utf8")) as OpenApiDoc;
const DOC_ID = "urn:thumbnail-pipeline:api";
// The document is added whole under an id, so its own #/components refs resolve; its non-schema keywords are not validated by ajv.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: DOC_ID, components: (doc as unknown as { components: unknown }).components });

function resolve(spec: ResponseSpec): ResponseSpec {
  return spec.$ref ? doc.components.responses[spec.$ref.split("/").pop() as string] : spec;
}

/** Asserts that one response of `method path` (the document's path template) is what the document says. */
export async function assertDocumented(method: string, pathTemplate: string, response: Response): Promise<unknown> {
  const operation = doc.paths[pathTemplate]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${pathTemplate} is not in the OpenAPI document`);
  const spec = operation.responses[String(response.status)];
  assert.ok(spec, `${method} ${pathTemplate} answered ${response.status}, which the document does not list`);
  const resolved = resolve(spec);
  for (const [name, header] of Object.entries(resolved.headers ?? {})) {
    if (header.required) assert.ok(response.headers.get(name), `${response.status} lacks the required header ${name}`);
  }
  const text = await response.text();
  if (!resolved.content) {
    assert.equal(text, "", `${response.status} has a body the document does not describe`);
    return undefined;
  }
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0];
  const media = resolved.content[mediaType];
  assert.ok(media, `${response.status} is ${mediaType}; the document says ${Object.keys(resolved.content).join(", ")}`);
  const body: unknown = JSON.parse(text);
  const ref = media.schema.$ref as string;
  const validate = ajv.getSchema(`${DOC_ID}${ref}`);
  assert.ok(validate, `no schema ${ref}`);
  assert.ok(validate(body), `${method} ${pathTemplate} ${response.status} does not match ${ref}: ${ajv.errorsText(validate.errors)}\n${text}`);
  return body;
}
