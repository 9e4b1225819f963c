// Reading configuration from environment variables: the readers and their
// ConfigError live with the variables they read, in contracts/env.ts (each
// function's variables: contracts/environments.ts).
export { booleanFlag, ConfigError, fraction, integer, json, oneOf, optionalString, requiredString, type Env, type IntegerRange, type Validation } from "../../contracts/env";
