// The harness feeds policies what the engine feeds them: Analyze gets a
// resource's inputs, AnalyzeStack its state after the step, its outputs
// (pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources:
// `Properties: v.Outputs`), as toolchain/check/encode.ts sends them.
import { strict as assert } from "node:assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PlanFile } from "../../toolchain/plan/plan-stack";
import { goodPlan, withProps } from "./fixture";
import { runPolicy } from "./harness";

const QUEUE = "urn:pulumi:test::fixture::aws:sqs/queue:Queue::jobs";

const plan: PlanFile = {
  stack: "test",
  project: "fixture",
  resources: [
    {
      urn: QUEUE,
      type: "aws:sqs/queue:Queue",
      name: "jobs",
      region: "us-east-1",
      parent: null,
      provider: null,
      props: { visibilityTimeoutSeconds: 60 },
      // AWS names the queue and computes its ARN: only the state after the step has them.
      outputs: { visibilityTimeoutSeconds: 60, name: "jobs-4f2a1b0", arn: "arn:aws:sqs:us-east-1:123456789012:jobs-4f2a1b0" },
      dependencies: [],
      propertyDependencies: {},
    },
  ],
};

describe("the policy harness, as the engine", () => {
  it("gives stack policies each resource's outputs and resource policies its inputs", async () => {
    const seen: Record<string, unknown> = {};
    const probe: ResourceValidationPolicy & StackValidationPolicy = {
      name: "probe",
      description: "records what it is given",
      enforcementLevel: "advisory",
      validateResource: (args) => void (seen.resource = args.props.arn),
      validateStack: (args) => void (seen.stack = args.resources[0].props.arn),
    };
    await runPolicy(probe, plan);
    assert.deepEqual(seen, { resource: undefined, stack: "arn:aws:sqs:us-east-1:123456789012:jobs-4f2a1b0" });
  });

  it("changes a fixture resource's inputs and outputs together, as a changed program would", async () => {
    const changed = withProps(goodPlan(), "us-east-1-upload-events", (p) => (p.visibilityTimeoutSeconds = 7));
    const queue = changed.resources.find((r) => r.name === "us-east-1-upload-events");
    assert.equal(queue?.props.visibilityTimeoutSeconds, 7);
    assert.equal(queue?.outputs?.visibilityTimeoutSeconds, 7);
  });
});
