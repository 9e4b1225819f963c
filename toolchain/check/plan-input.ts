// Reading a plan file given with --plan: the shape `npm run plan -- --out`
// writes (toolchain/plan/plan-stack.ts), checked field by field so a wrong file
// fails with what is wrong and where, not deep inside the analyzer.
import { readFileSync } from "node:fs";
import type { PlanFile, PlanResource } from "../plan/plan-stack";

export class PlanInputError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

export function parsePlan(doc: unknown, source: string): PlanFile {
  const fail = (what: string): never => {
    throw new PlanInputError(`${source}: ${what}. Expected the JSON \`npm run plan -- --stack NAME --out FILE\` writes.`);
  };
  if (!isRecord(doc)) return fail("is not a JSON object");
  if (typeof doc.stack !== "string" || doc.stack === "") fail('has no "stack" name');
  if (typeof doc.project !== "string" || doc.project === "") fail('has no "project" name');
  if (!Array.isArray(doc.resources)) return fail('has no "resources" list');
  doc.resources.forEach((r: unknown, i: number) => {
    const at = `resources[${i}]`;
    if (!isRecord(r)) return fail(`${at} is not an object`);
    for (const key of ["urn", "type", "name"] as const) if (typeof r[key] !== "string" || r[key] === "") fail(`${at}.${key} is missing`);
    if (!isRecord(r.props)) fail(`${at} (${String(r.name)}).props is not an object`);
    if (r.outputs !== undefined && !isRecord(r.outputs)) fail(`${at} (${String(r.name)}).outputs is not an object`);
    if (r.parent != null && typeof r.parent !== "string") fail(`${at} (${String(r.name)}).parent is not a URN`);
    if (r.provider != null && typeof r.provider !== "string") fail(`${at} (${String(r.name)}).provider is not a provider reference`);
    if (r.dependencies !== undefined && !stringList(r.dependencies)) fail(`${at} (${String(r.name)}).dependencies is not a list of URNs`);
    if (r.propertyDependencies !== undefined && !(isRecord(r.propertyDependencies) && Object.values(r.propertyDependencies).every(stringList))) {
      fail(`${at} (${String(r.name)}).propertyDependencies is not a map of property to URNs`);
    }
    return undefined;
  });
  const resources = (doc.resources as Record<string, unknown>[]).map((r): PlanResource => ({
    urn: r.urn as string,
    type: r.type as string,
    name: r.name as string,
    region: typeof r.region === "string" ? r.region : "global",
    parent: (r.parent as string | null | undefined) ?? null,
    provider: (r.provider as string | null | undefined) ?? null,
    props: r.props as PlanResource["props"],
    ...(r.outputs !== undefined ? { outputs: r.outputs as PlanResource["props"] } : {}),
    dependencies: (r.dependencies as string[] | undefined) ?? [],
    propertyDependencies: (r.propertyDependencies as Record<string, string[]> | undefined) ?? {},
  }));
  return { stack: doc.stack as string, project: doc.project as string, resources };
}

export function readPlanFile(path: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlanInputError(`cannot read plan file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw new PlanInputError(`${path} is not JSON: ${(e as Error).message}`);
  }
  return parsePlan(doc, path);
}
