// Every policy of the pack, in the order the server runs them: the four
// mandatory guards first, then the supporting guardrails.
import { requiredAlarms } from "./alarms";
import { apiRouteAuthorization } from "./api";
import { workingBuild } from "./build";
import { connectionBudget } from "./database";
import { encryptionAtRest } from "./encryption";
import { leastPrivilegeRole } from "./iam";
import { centralLogShipping } from "./logging";
import { noRecursiveTrigger } from "./loops";
import { functionDatabaseNetwork } from "./network";
import { regionParity } from "./parity";
import { asyncFailureDestination, queueVisibility } from "./queues";
import { memoryCap, supportedRuntime } from "./runtime";
import { accessLogging, privateBuckets } from "./storage";

export const POLICIES = [
  centralLogShipping,
  requiredAlarms,
  workingBuild,
  regionParity,
  queueVisibility,
  asyncFailureDestination,
  noRecursiveTrigger,
  connectionBudget,
  functionDatabaseNetwork,
  leastPrivilegeRole,
  privateBuckets,
  accessLogging,
  encryptionAtRest,
  supportedRuntime,
  memoryCap,
  apiRouteAuthorization,
];
