// The canary's known input: a 48x32 baseline JPEG (a colour gradient, 367
// bytes), embedded so every run uploads exactly the same bytes. A test decodes
// it with sharp and checks its size and digest.
export const CANARY_JPEG_BASE64 =
  "/9j/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAgADADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABAUG/8QAFxAAAwEAAAAAAAAAAAAAAAAAAAIEYf/EABYBAQEBAAAAAAAAAAAAAAAAAAQFB//EABcRAAMBAAAAAAAAAAAAAAAAAAACAwT/2gAMAwEAAhEDEQA/AMOk2CEmwoJNghJsKrXDQ0k9JsEJNhQSbBCTYHa5ZhpJ6TYISbCgk2CEmwM1yzDST0mwQk2D0mwQk2B2uZbDSASbBCTYPSbBCTYHa5ZhpAJNghJsHpNghJsDNcsw0n//2Q==";

export const CANARY_JPEG_SHA256 = "c8d5d9d68af3bc1f48bde9ae6eda98514596d40b1454189418f2e688c7bee3b7";

export const CANARY_JPEG_SIZE = { width: 48, height: 32 } as const;

export function canaryJpeg(): Buffer {
  return Buffer.from(CANARY_JPEG_BASE64, "base64");
}
