// The plan diff's alias rules are the engine's (pkg/resource/deploy
// step_generator.go): a resource matches an old URN by its own URN first,
// then by its aliases, completed from the resource, with an old parent's
// alias substituted and a parent's matched alias multiplied out to its
// children. The URN continuity of the nested RegionalPipeline rests on them.
import assert from "node:assert/strict";
import { AliasError, matchResources } from "../../../toolchain/plan/diff";
import type { PlanFile, PlanResource } from "../../../toolchain/plan/plan-stack";

describe("plan diff: aliases resolved as the engine resolves them", () => {
  const urn = (qualifiedType: string, name: string) => `urn:pulumi:s::p::${qualifiedType}::${name}`;
  const root = urn("pulumi:pulumi:Stack", "p-s");
  const row = (u: string, parent: string | null, aliases?: PlanResource["aliases"]): PlanResource => {
    const parts = u.split("::");
    const qualified = parts[2];
    return {
      urn: u,
      type: qualified.split("$").pop() as string,
      name: parts[3],
      parent,
      provider: null,
      region: "r",
      props: {},
      dependencies: [],
      propertyDependencies: {},
      ...(aliases ? { aliases } : {}),
    };
  };
  const plan = (resources: PlanResource[]): PlanFile => ({ stack: "s", project: "p", resources });

  it("takes a parent alias to the old parent's type chain, and `parent: null` to no parent", () => {
    const c = urn("x:C", "c");
    const moved = row(urn("x:C$x:D$aws:s3/bucket:Bucket", "b"), urn("x:C$x:D", "d"), [{ parent: c }]);
    const top = row(urn("x:C$aws:sqs/queue:Queue", "q"), c, [{ parent: null }]);
    const { oldUrnOf } = matchResources(
      [urn("x:C$aws:s3/bucket:Bucket", "b"), urn("aws:sqs/queue:Queue", "q")],
      plan([row(c, root), row(urn("x:C$x:D", "d"), c), moved, top]),
    );
    assert.equal(oldUrnOf.get(moved.urn), urn("x:C$aws:s3/bucket:Bucket", "b"));
    assert.equal(oldUrnOf.get(top.urn), urn("aws:sqs/queue:Queue", "q"));
  });

  it("multiplies a parent's matched alias out to its children, renaming a child named after the parent", () => {
    const renamed = row(urn("x:C", "new"), root, [{ name: "old" }]);
    const child = row(urn("x:C$aws:s3/bucket:Bucket", "new-bucket"), renamed.urn);
    const { oldUrnOf } = matchResources([urn("x:C", "old"), urn("x:C$aws:s3/bucket:Bucket", "old-bucket")], plan([renamed, child]));
    assert.equal(oldUrnOf.get(renamed.urn), urn("x:C", "old"));
    assert.equal(oldUrnOf.get(child.urn), urn("x:C$aws:s3/bucket:Bucket", "old-bucket"));
  });

  it("prefers the resource's own URN, and refuses two resources claiming one old URN", () => {
    const same = row(urn("aws:s3/bucket:Bucket", "b"), root, [{ name: "a" }]);
    assert.equal(matchResources([same.urn, urn("aws:s3/bucket:Bucket", "a")], plan([same])).oldUrnOf.get(same.urn), same.urn);
    const one = row(urn("aws:s3/bucket:Bucket", "one"), root, [{ name: "old" }]);
    const two = row(urn("aws:s3/bucket:Bucket", "two"), root, [{ urn: urn("aws:s3/bucket:Bucket", "old") }]);
    assert.throws(() => matchResources([urn("aws:s3/bucket:Bucket", "old")], plan([one, two])), AliasError);
  });
});
