// The "snowflake guard" policy pack, as `pulumi preview --policy-pack policies`
// and `npm run check` start it: this file only assembles the policies.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./catalog";

new PolicyPack("snowflake-guard", {
  description:
    "Refuses a region without central log shipping, alarms or a working build, and any region that differs from the others, in any Pulumi AWS program.",
  enforcementLevel: "mandatory",
  policies: POLICIES,
});
