import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("process")
    .description("Run the handler's decode/validate/resize path on local files")
    .argument("<paths...>", "files or folders")
    .action(() => {
      throw new Error("not implemented yet");
    });
}
