// AWSGuard as a local pack, advisory: every finding is reported beside
// snowflake-guard's, and docs/policies.md says what was done with each one.
import { AwsGuard } from "@pulumi/awsguard";

new AwsGuard({ all: "advisory" });
