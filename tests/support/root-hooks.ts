// Root hooks: shared servers started lazily by suites are stopped once, after everything.
import { stopSharedPostgres } from "./postgres";

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedPostgres();
  },
};
