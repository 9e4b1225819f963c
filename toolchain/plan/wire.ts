// The engine's wire form of property values (sdk/go/common/resource/sig and
// plugin/rpc.go): the sentinel of a value unknown at preview, and the
// signatures that mark assets, archives, secrets, resource references and
// output values. Defined once for the plan, the engine view and the driver.
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SIGNATURES = {
  asset: "c44067f5952c0a294b673a41bacd8c17",
  archive: "0def7320c3a5731c473e5ecbe6d01bc7",
  secret: "1b47061264138c4ac30d75fd1eb44270",
  resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
  outputValue: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
} as const;
