// Atlassian Document Format: Jira Cloud REST v3 takes descriptions and
// comments as ADF documents, not plain strings.
export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}

export interface AdfDocument {
  version: 1;
  type: "doc";
  content: AdfNode[];
}

/** One paragraph per non-blank line, then `details` (if any) as a JSON code block. */
export function adfDocument(text: string, details?: Record<string, unknown>): AdfDocument {
  const content: AdfNode[] = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ type: "paragraph", content: [{ type: "text", text: line }] }));
  if (details !== undefined && Object.keys(details).length > 0) {
    content.push({ type: "codeBlock", attrs: { language: "json" }, content: [{ type: "text", text: JSON.stringify(details, null, 2) }] });
  }
  // A document needs at least one node.
  if (content.length === 0) content.push({ type: "paragraph", content: [] });
  return { version: 1, type: "doc", content };
}
